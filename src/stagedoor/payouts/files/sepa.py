"""SEPA credit transfer files: ISO 20022 pain.001.001.03, the version every SEPA bank accepts.

`sepa_credit_transfer(batch, debtor)` checks every line first (EUR only, IBAN checksum and SEPA zone, BIC
shape), builds the document with `sepaxml.SepaTransfer` (one batch-booked payment block), then makes it
deterministic — the message id and payment-information id are the batch id, the creation time is the batch's
`created_at` — checks the control sum and the count against the lines, and validates the bytes against the XSD
that ships with `sepaxml` (`validate_pain001`) before returning them.
"""

from __future__ import annotations

import functools
import importlib.resources
import io
from dataclasses import dataclass
from datetime import UTC
from typing import Any
from xml.etree.ElementTree import Element, register_namespace, tostring

import schwifty
import xmlschema
from sepaxml import SepaTransfer

from stagedoor.core.currency import minor_to_decimal_string

from .errors import EmptyBatch, InvalidBic, InvalidIban, SepaSchemaInvalid, UnsupportedCurrency, WrongPayoutMethod
from .model import BankAccount, PayoutBatch, PayoutLine
from .xmlsafe import parse_xml

SCHEMA = "pain.001.001.03"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
CURRENCY = "EUR"
DEFAULT_REMITTANCE = "Stagedoor payout"


@dataclass(frozen=True)
class SepaDebtor:
    """The platform's own account the transfers are paid from (`settings.STAGEDOOR.payouts.sepa_debtor_*`)."""

    name: str
    iban: str
    bic: str = ""


@functools.cache
def _schema() -> xmlschema.XMLSchema:
    path = importlib.resources.files("sepaxml") / "schemas" / f"{SCHEMA}.xsd"
    with importlib.resources.as_file(path) as xsd:
        return xmlschema.XMLSchema(str(xsd))


def validate_pain001(xml_bytes: bytes) -> None:
    """Raise `SepaSchemaInvalid` (with the first problems in `extra.errors`) unless the bytes are a valid
    pain.001.001.03 document."""
    root = parse_xml(xml_bytes)
    problems = [f"{error.path}: {error.reason}" for error in _schema().iter_errors(root)]
    if problems:
        raise SepaSchemaInvalid(
            f"The SEPA file does not validate against {SCHEMA}: {problems[0]}", extra={"errors": problems[:10]}
        )


def _iban(value: str, *, line: PayoutLine | None) -> str:
    who = f"line {line.end_to_end_id} ({line.payee_name})" if line else "the debtor account"
    try:
        iban = schwifty.IBAN(value)
    except schwifty.exceptions.SchwiftyException as exc:
        raise InvalidIban(
            f"The IBAN of {who} is not valid: {exc}.",
            extra={"end_to_end_id": line.end_to_end_id if line else "", "reason": str(exc)},
        ) from None
    if not iban.in_sepa_zone:
        raise InvalidIban(
            f"The IBAN of {who} is in {iban.country_code}, outside the SEPA zone.",
            extra={"end_to_end_id": line.end_to_end_id if line else "", "reason": "outside SEPA zone"},
        )
    return str(iban.compact)


def _bic(value: str, *, line: PayoutLine | None) -> str:
    if not value:
        return ""
    who = f"line {line.end_to_end_id} ({line.payee_name})" if line else "the debtor account"
    try:
        return str(schwifty.BIC(value).compact)
    except schwifty.exceptions.SchwiftyException as exc:
        raise InvalidBic(
            f"The BIC of {who} is not valid: {exc}.", extra={"end_to_end_id": line.end_to_end_id if line else ""}
        ) from None


def _payment(batch: PayoutBatch, line: PayoutLine) -> dict[str, Any]:
    if not isinstance(line.destination, BankAccount):
        raise WrongPayoutMethod(
            f"Line {line.end_to_end_id} ({line.payee_name}) is not a bank transfer and cannot go in a SEPA file.",
            extra={"end_to_end_id": line.end_to_end_id},
        )
    if line.currency != CURRENCY:
        raise UnsupportedCurrency(
            f"Line {line.end_to_end_id} ({line.payee_name}) is in {line.currency}; SEPA credit transfers pay EUR only.",
            extra={"end_to_end_id": line.end_to_end_id, "currency": line.currency},
        )
    payment: dict[str, Any] = {
        "name": line.payee_name.strip(),
        "IBAN": _iban(line.destination.iban, line=line),
        "amount": line.amount_minor,
        "execution_date": batch.execution_date,
        "description": line.remittance or DEFAULT_REMITTANCE,
        "endtoend_id": line.end_to_end_id,
    }
    bic = _bic(line.destination.bic, line=line)
    if bic:
        payment["BIC"] = bic
    return payment


def _find(parent: Element, path: str) -> Element:
    ns = {"p": NAMESPACE}
    found = parent.find(path, ns)
    assert found is not None, f"sepaxml produced no {path}"
    return found


def sepa_credit_transfer(batch: PayoutBatch, debtor: SepaDebtor) -> bytes:
    """The pain.001.001.03 file paying every line of the batch from the debtor's account, as UTF-8 bytes."""
    if not batch.lines:
        raise EmptyBatch(f"Batch {batch.batch_id} has no lines: there is nothing to pay.")
    payments = [_payment(batch, line) for line in batch.lines]  # every line checked before anything is built
    config: dict[str, Any] = {
        "name": debtor.name,
        "IBAN": _iban(debtor.iban, line=None),
        "batch": True,
        "currency": CURRENCY,
    }
    bic = _bic(debtor.bic, line=None)
    if bic:
        config["BIC"] = bic
    transfer = SepaTransfer(config, schema=SCHEMA, clean=True)
    for payment in payments:
        transfer.add_payment(payment)
    raw: bytes = transfer.export(validate=False)

    # sepaxml stamps a random message id and payment-information id and the wall clock: replace them with the
    # batch's own, so the same batch always gives the same bytes (and the bank's report names our batch id).
    root = parse_xml(raw)
    initiation = _find(root, "p:CstmrCdtTrfInitn")
    header = _find(initiation, "p:GrpHdr")
    _find(header, "p:MsgId").text = batch.batch_id
    _find(header, "p:CreDtTm").text = batch.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    blocks = initiation.findall("p:PmtInf", {"p": NAMESPACE})
    assert len(blocks) == 1, f"one execution date makes one payment block, not {len(blocks)}"
    _find(blocks[0], "p:PmtInfId").text = batch.batch_id

    # The invariants a bank checks first: the control sums and counts equal the lines.
    total = minor_to_decimal_string(batch.total_minor, 2)
    count = str(len(batch.lines))
    for node, what in ((header, "group header"), (blocks[0], "payment block")):
        if _find(node, "p:CtrlSum").text != total or _find(node, "p:NbOfTxs").text != count:
            raise AssertionError(f"the {what}'s control sum or count differs from the batch's lines")

    buffer = io.BytesIO()
    buffer.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    # The pain.001 namespace as the default one (unprefixed), as banks' own samples write it; `default_namespace=`
    # cannot be used because `InstdAmt/@Ccy` is an unqualified attribute.
    register_namespace("", NAMESPACE)
    buffer.write(tostring(root, encoding="utf-8", xml_declaration=False))
    out = buffer.getvalue()
    validate_pain001(out)
    return out
