"""Reading the bank's answers: pain.002 status reports and camt.054 / pain.002 returns (hand-written samples)."""

from __future__ import annotations

import pytest

from stagedoor.payouts.files import errors
from stagedoor.payouts.files.reconcile import Outcome, read_bank_return, read_status_report

BATCHES = {
    "SD-2025W02-SEPA-1": ["E2E-A1", "E2E-A2", "E2E-A3"],
    "SD-2025W03-SEPA-1": ["E2E-B1"],
}
PAIN002 = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"


def pain002(
    group: str, blocks: str = "", *, msg: str = "SD-2025W02-SEPA-1", msg_type: str = "pain.001.001.03"
) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{PAIN002}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>BANK-STS-0001</MsgId><CreDtTm>2025-01-10T07:12:00</CreDtTm>
      <DbtrAgt><FinInstnId><BIC>COBADEFFXXX</BIC></FinInstnId></DbtrAgt></GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>{msg}</OrgnlMsgId><OrgnlMsgNmId>{msg_type}</OrgnlMsgNmId>
      <OrgnlNbOfTxs>3</OrgnlNbOfTxs><OrgnlCtrlSum>10123.50</OrgnlCtrlSum>
      {group}
    </OrgnlGrpInfAndSts>
    {blocks}
  </CstmrPmtStsRpt>
</Document>""".encode()


def tx(e2e: str, status: str, reason: str = "") -> str:
    why = f"<StsRsnInf><Rsn><Cd>{reason}</Cd></Rsn></StsRsnInf>" if reason else ""
    return (
        f"<TxInfAndSts><StsId>S-{e2e}</StsId><OrgnlEndToEndId>{e2e}</OrgnlEndToEndId>"
        f"<TxSts>{status}</TxSts>{why}</TxInfAndSts>"
    )


def block(status: str, *txs: str) -> str:
    sts = f"<PmtInfSts>{status}</PmtInfSts>" if status else ""
    return f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>SD-2025W02-SEPA-1</OrgnlPmtInfId>{sts}{''.join(txs)}</OrgnlPmtInfAndSts>"


def test_group_accepted_pays_every_line() -> None:
    assert read_status_report(pain002("<GrpSts>ACCP</GrpSts>"), batches=BATCHES) == [
        Outcome("E2E-A1", "paid", ""),
        Outcome("E2E-A2", "paid", ""),
        Outcome("E2E-A3", "paid", ""),
    ]


def test_group_rejected_fails_every_line_with_the_reason() -> None:
    report = pain002("<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>AM05</Cd></Rsn></StsRsnInf>")
    outcomes = read_status_report(report, batches=BATCHES)
    assert [(o.end_to_end_id, o.outcome, o.reason) for o in outcomes] == [
        ("E2E-A1", "failed", "AM05"),
        ("E2E-A2", "failed", "AM05"),
        ("E2E-A3", "failed", "AM05"),
    ]


def test_partly_accepted_reports_only_the_listed_lines() -> None:
    report = pain002(
        "<GrpSts>PART</GrpSts>",
        block("PART", tx("E2E-A3", "RJCT", "AC01"), tx("E2E-A1", "ACSC")),
    )
    assert read_status_report(report, batches=BATCHES) == [
        Outcome("E2E-A1", "paid", ""),
        Outcome("E2E-A3", "failed", "AC01"),
    ]


def test_transaction_status_overrides_the_block_and_pending_is_pending() -> None:
    report = pain002("", block("ACCP", tx("E2E-A2", "PDNG"), tx("E2E-A3", "RJCT", "AC04")))
    assert read_status_report(report, batches=BATCHES) == [
        Outcome("E2E-A2", "pending", ""),
        Outcome("E2E-A3", "failed", "AC04"),
    ]


def test_unknown_batch_or_transaction_is_a_clear_error() -> None:
    with pytest.raises(errors.ReportUnknownBatch, match="SD-1999W01") as caught:
        read_status_report(pain002("<GrpSts>ACCP</GrpSts>", msg="SD-1999W01"), batches=BATCHES)
    assert caught.value.code == "payouts.report_unknown_batch"
    assert caught.value.extra == {"message_id": "SD-1999W01"}
    with pytest.raises(errors.ReportUnknownTransaction, match="E2E-B1"):
        read_status_report(pain002("", block("", tx("E2E-B1", "RJCT", "AC04"))), batches=BATCHES)


def test_unreadable_or_foreign_files_are_refused() -> None:
    for junk, message in [
        (b"", "empty"),
        (b"not xml at all", "well-formed"),
        (b"<Document><CstmrPmtStsRpt>", "well-formed"),
        (b'<!DOCTYPE d [<!ENTITY x "boom">]><Document>&x;</Document>', "refuse"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>',
            "CstmrCdtTrfInitn",
        ),
    ]:
        with pytest.raises(errors.ReportUnreadable, match=message) as caught:
            read_status_report(junk, batches=BATCHES)
        assert caught.value.code == "payouts.report_unreadable"
    with pytest.raises(errors.ReportUnreadable, match=r"pain\.008"):
        read_status_report(pain002("<GrpSts>ACCP</GrpSts>", msg_type="pain.008.001.02"), batches=BATCHES)
    with pytest.raises(errors.ReportUnreadable, match="'XYZW'"):
        read_status_report(pain002("<GrpSts>XYZW</GrpSts>"), batches=BATCHES)


CAMT054 = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"


def camt054(*entries: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{CAMT054}">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>BANK-NTF-0042</MsgId><CreDtTm>2025-01-14T06:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-0042</Id><CreDtTm>2025-01-14T06:00:00</CreDtTm>
      <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
      {"".join(entries)}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>""".encode()


def entry(e2e: str, direction: str, *, reason: str = "", status: str = "BOOK", amount: str = "123.45") -> str:
    returned = (
        f"<RtrInf><OrgnlBkTxCd><Domn><Cd>PMNT</Cd></Domn></OrgnlBkTxCd>"
        f"<Rsn><Cd>{reason}</Cd></Rsn><AddtlInf>Account closed</AddtlInf></RtrInf>"
        if reason
        else ""
    )
    return f"""<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd><Sts>{status}</Sts>
      <BookgDt><Dt>2025-01-13</Dt></BookgDt><ValDt><Dt>2025-01-13</Dt></ValDt>
      <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>{"RRTN" if reason else "ESCT"}</SubFmlyCd></Fmly></Domn></BkTxCd>
      <NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>
        <AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>{returned}</TxDtls></NtryDtls></Ntry>"""


def test_camt054_returns_and_booked_debits() -> None:
    notification = camt054(
        entry("E2E-A1", "DBIT"),
        entry("E2E-A2", "CRDT", reason="AC04"),
        entry("E2E-B1", "CRDT", reason="MS03"),
        entry("SOMEONE-ELSES-PAYMENT", "CRDT"),  # an ordinary incoming credit: not ours, skipped
        entry("E2E-A3", "CRDT", reason="AC01", status="PDNG"),  # announced only: the booked one follows
    )
    assert read_bank_return(notification, batches=BATCHES) == [
        ("E2E-A1", "paid", ""),
        ("E2E-A2", "returned", "AC04"),
        ("E2E-B1", "returned", "MS03"),
    ]


def test_camt054_return_of_an_unknown_payment_is_a_clear_error() -> None:
    with pytest.raises(errors.ReportUnknownTransaction, match="E2E-ZZ") as caught:
        read_bank_return(camt054(entry("E2E-A1", "DBIT"), entry("E2E-ZZ", "CRDT", reason="AC04")), batches=BATCHES)
    assert caught.value.code == "payouts.report_unknown_transaction"


def test_pain002_after_acceptance_is_a_return() -> None:
    report = pain002("", block("", tx("E2E-A2", "RJCT", "AC06")), msg="SD-2025W02-SEPA-1")
    assert read_bank_return(report, batches=BATCHES) == [Outcome("E2E-A2", "returned", "AC06")]
    with pytest.raises(errors.ReportUnknownBatch):
        read_bank_return(pain002("<GrpSts>RJCT</GrpSts>", msg="NOPE"), batches=BATCHES)
