"""The bank's answers to our SEPA files, read into `Outcome(end_to_end_id, outcome, reason)` rows.

- `read_status_report(xml, batches=…)`: a pain.002 *Customer Payment Status Report* (001.03 and later) for one
  of our pain.001 files. Its `OrgnlMsgId` must be one of our batch ids; transaction statuses override the
  payment block's, which override the group's; a group or block status with no transaction list applies to every
  line of the batch. ISO status codes:
  `ACSC`/`ACCC` (settled), `ACSP` (settlement in process), `ACCP` (accepted for execution), `ACWC` (accepted with
  change) → **paid**; `RJCT` → **failed**; `ACTC`/`RCVD`/`PDNG` (only checked or received) → **pending**; `PART` at
  group or block level says nothing about an unlisted line, so such lines are left out.
- `read_bank_return(xml, batches=…)`: a transfer the bank accepted and later sent back (closed account, wrong
  name…), either as a camt.054 debit/credit notification (an entry with `RtrInf`, whatever version) or as a
  pain.002 rejecting it after acceptance. Returns are **returned**; a camt.054 booked debit of one of our
  end-to-end ids is **paid**; other entries (not ours, not booked) are skipped.

Every outcome carries the ISO reason code (`AC01` wrong IBAN, `AC04` closed account, `AC06` blocked, `MS03`
reason not given, `AM05` duplicate, `BE04` missing creditor address…; a proprietary code if that is all there
is), or `""`. A file that does not parse, is another message type, names a batch we never sent, or a return of an
end-to-end id that is in none of `batches` raises a clear error and yields nothing.

`batches` maps each batch id (the pain.001 message id) to the end-to-end ids of its lines; the payouts service
builds it from the runs it has sent and maps the ids back to payouts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Literal, NamedTuple
from xml.etree.ElementTree import Element

from .errors import ReportUnknownBatch, ReportUnknownTransaction, ReportUnreadable
from .xmlsafe import child, children, local, parse_xml, text

OutcomeKind = Literal["paid", "failed", "returned", "pending"]

PAID_STATUSES = frozenset({"ACSC", "ACCC", "ACSP", "ACCP", "ACWC"})
PENDING_STATUSES = frozenset({"ACTC", "RCVD", "PDNG"})
REJECTED = "RJCT"
PARTIAL = "PART"


class Outcome(NamedTuple):
    end_to_end_id: str
    outcome: OutcomeKind
    reason: str


def _reason(node: Element | None) -> str:
    """The first `StsRsnInf/Rsn/Cd` (or `Prtry`) under node (pain.002), or `RtrInf/Rsn/…` (camt.054)."""
    for info in [*children(node, "StsRsnInf"), *children(node, "RtrInf")]:
        code = text(info, "Rsn", "Cd") or text(info, "Rsn", "Prtry")
        if code:
            return code[:35]
    return ""


def _message(xml: bytes, expected: tuple[str, ...]) -> tuple[str, Element]:
    root = parse_xml(xml)
    if local(root.tag) != "Document" or len(root) != 1:
        raise ReportUnreadable("The file is not an ISO 20022 message (no single message under <Document>).")
    body = root[0]
    name = local(body.tag)
    if name not in expected:
        namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
        raise ReportUnreadable(
            f"The file is a {name} message ({namespace or 'no namespace'}), not {' or '.join(expected)}.",
            extra={"message": name, "namespace": namespace},
        )
    return name, body


def _status(code: str, *, where: str) -> OutcomeKind | None:
    if code in PAID_STATUSES:
        return "paid"
    if code == REJECTED:
        return "failed"
    if code in PENDING_STATUSES:
        return "pending"
    if code == PARTIAL or not code:
        return None
    raise ReportUnreadable(f"Unknown payment status {code!r} in {where}.", extra={"status": code})


def _pain002(body: Element, batches: Mapping[str, Collection[str]], *, rejected: OutcomeKind) -> list[Outcome]:
    group = child(body, "OrgnlGrpInfAndSts")
    message_id = text(group, "OrgnlMsgId")
    message_type = text(group, "OrgnlMsgNmId")
    if group is None or not message_id:
        raise ReportUnreadable("The status report has no original message id (OrgnlGrpInfAndSts/OrgnlMsgId).")
    if message_type and not message_type.startswith("pain.001"):
        raise ReportUnreadable(
            f"The status report answers a {message_type} message, not a credit transfer (pain.001).",
            extra={"message_type": message_type},
        )
    if message_id not in batches:
        raise ReportUnknownBatch(
            f"The status report answers message {message_id!r}, which is none of our payout batches.",
            extra={"message_id": message_id},
        )
    lines = list(batches[message_id])
    known = set(lines)

    def kind(code: str, where: str) -> OutcomeKind | None:
        found = _status(code, where=where)
        return rejected if found == "failed" else found

    group_status = text(group, "GrpSts")
    group_kind, group_reason = kind(group_status, "the group status"), _reason(group)
    blocks = children(body, "OrgnlPmtInfAndSts")
    outcomes: dict[str, Outcome] = {}
    listed = False
    for block in blocks:
        block_status = text(block, "PmtInfSts")
        block_kind = kind(block_status, f"payment block {text(block, 'OrgnlPmtInfId')!r}") or group_kind
        block_reason = _reason(block) or group_reason
        transactions = children(block, "TxInfAndSts")
        if not transactions and block_kind is not None:
            # A block-level verdict without a list: it covers every line (we write one block per batch).
            for e2e in lines:
                outcomes[e2e] = Outcome(e2e, block_kind, block_reason)
            listed = True
        for tx in transactions:
            e2e = text(tx, "OrgnlEndToEndId")
            if e2e not in known:
                raise ReportUnknownTransaction(
                    f"The status report for batch {message_id} names end-to-end id {e2e!r}, which is not in it.",
                    extra={"message_id": message_id, "end_to_end_id": e2e},
                )
            tx_kind = kind(text(tx, "TxSts"), f"transaction {e2e!r}") or block_kind
            if tx_kind is not None:
                outcomes[e2e] = Outcome(e2e, tx_kind, _reason(tx) or block_reason)
            listed = True
    if not listed and group_kind is not None:
        for e2e in lines:
            outcomes[e2e] = Outcome(e2e, group_kind, group_reason)
    order = {e2e: i for i, e2e in enumerate(lines)}
    return sorted(outcomes.values(), key=lambda o: order[o.end_to_end_id])


def _entries(body: Element) -> Iterator[tuple[Element, Element]]:
    for notification in children(body, "Ntfctn"):
        for entry in children(notification, "Ntry"):
            for details in children(entry, "NtryDtls"):
                for tx in children(details, "TxDtls"):
                    yield entry, tx


def _camt054(body: Element, batches: Mapping[str, Collection[str]]) -> list[Outcome]:
    owner = {e2e: batch_id for batch_id, lines in batches.items() for e2e in lines}
    outcomes: list[Outcome] = []
    for entry, tx in _entries(body):
        e2e = text(tx, "Refs", "EndToEndId")
        status = text(entry, "Sts", "Cd") or text(entry, "Sts")
        direction = text(tx, "CdtDbtInd") or text(entry, "CdtDbtInd")
        returned = child(tx, "RtrInf") is not None
        if returned:
            if e2e not in owner:
                raise ReportUnknownTransaction(
                    f"The bank returned a payment with end-to-end id {e2e or 'NOTPROVIDED'!r}, "
                    "which is in none of our payout batches.",
                    extra={"end_to_end_id": e2e},
                )
            if status and status != "BOOK":
                continue  # announced, not yet booked: the booked entry follows
            outcomes.append(Outcome(e2e, "returned", _reason(tx)))
        elif e2e in owner and direction == "DBIT" and status in ("", "BOOK"):
            outcomes.append(Outcome(e2e, "paid", ""))
    return outcomes


def read_status_report(xml: bytes, *, batches: Mapping[str, Collection[str]]) -> list[Outcome]:
    """A pain.002 status report for one of our batches → its outcomes, in the batch's line order."""
    _name, body = _message(xml, ("CstmrPmtStsRpt",))
    return _pain002(body, batches, rejected="failed")


def read_bank_return(xml: bytes, *, batches: Mapping[str, Collection[str]]) -> list[Outcome]:
    """A camt.054 notification or a pain.002 rejection of transfers the bank had accepted → returned (and paid)."""
    name, body = _message(xml, ("BkToCstmrDbtCdtNtfctn", "CstmrPmtStsRpt"))
    if name == "CstmrPmtStsRpt":
        return _pain002(body, batches, rejected="returned")
    return _camt054(body, batches)
