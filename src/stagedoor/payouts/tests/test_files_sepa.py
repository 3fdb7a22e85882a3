"""SEPA credit transfer files: pain.001.001.03 from sepaxml, validated against the ISO 20022 XSD."""

from __future__ import annotations

import importlib.resources
import io
from decimal import Decimal
from xml.etree.ElementTree import Element

import pytest
import xmlschema

from stagedoor.payouts.files import errors
from stagedoor.payouts.files.model import BankAccount, EWalletAccount, PayoutBatch
from stagedoor.payouts.files.sepa import NAMESPACE, SepaDebtor, sepa_credit_transfer, validate_pain001
from stagedoor.payouts.tests.files_samples import CREATED, DEBTOR, EXECUTION, batch, line

NS = {"p": NAMESPACE}


def parsed(xml: bytes) -> Element:
    root = xmlschema.XMLResource(io.BytesIO(xml), defuse="always").root
    assert isinstance(root, Element)
    return root


def texts(root: Element, path: str) -> list[str]:
    return [el.text or "" for el in root.findall(path, NS)]


def three_lines() -> PayoutBatch:
    return batch(
        line("01JH00000000000000000000A1", name="Zoë Müller", amount=12_345),
        line(
            "01JH00000000000000000000A2",
            name="Jean Dupont",
            amount=5,
            destination=BankAccount(iban="FR14 2004 1010 0505 0001 3M02 606"),
            remittance="",
        ),
        line(
            "01JH00000000000000000000A3",
            name="Eva Novak",
            amount=1_000_000,
            destination=BankAccount("AT611904300234573201"),
        ),
    )


def test_the_file_validates_against_the_xsd_and_carries_every_line() -> None:
    xml = sepa_credit_transfer(three_lines(), DEBTOR)
    validate_pain001(xml)  # the builder did too; the test checks the exact bytes it got
    # and the XSD sepaxml ships, loaded independently of our helper
    with importlib.resources.as_file(importlib.resources.files("sepaxml") / "schemas" / "pain.001.001.03.xsd") as xsd:
        assert xmlschema.XMLSchema(str(xsd)).is_valid(xml.decode())
    root = parsed(xml)
    assert root.tag == f"{{{NAMESPACE}}}Document"
    assert texts(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId") == ["SD-2025W02-SEPA-1"]
    assert texts(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:CreDtTm") == ["2025-01-09T08:30:00"]
    assert texts(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs") == ["3"]
    assert texts(root, ".//p:PmtInf/p:PmtInfId") == ["SD-2025W02-SEPA-1"]
    assert texts(root, ".//p:PmtInf/p:ReqdExctnDt") == ["2025-01-10"]
    assert texts(root, ".//p:DbtrAcct/p:Id/p:IBAN") == ["DE89370400440532013000"]
    assert texts(root, ".//p:CdtTrfTxInf/p:PmtId/p:EndToEndId") == [
        "01JH00000000000000000000A1",
        "01JH00000000000000000000A2",
        "01JH00000000000000000000A3",
    ]
    assert texts(root, ".//p:CdtTrfTxInf/p:Amt/p:InstdAmt") == ["123.45", "0.05", "10000.00"]
    assert {el.get("Ccy") for el in root.findall(".//p:InstdAmt", NS)} == {"EUR"}
    assert texts(root, ".//p:CdtTrfTxInf/p:Cdtr/p:Nm") == ["Zoe Muller", "Jean Dupont", "Eva Novak"]
    assert texts(root, ".//p:CdtTrfTxInf/p:CdtrAcct/p:Id/p:IBAN") == [
        "DE89370400440532013000",
        "FR1420041010050500013M02606",
        "AT611904300234573201",
    ]
    assert texts(root, ".//p:CdtTrfTxInf/p:RmtInf/p:Ustrd") == [
        "Stagedoor payout 2025-W02",
        "Stagedoor payout",
        "Stagedoor payout 2025-W02",
    ]


def test_control_sums_equal_the_sum_of_the_lines_exactly() -> None:
    many = batch(*(line(f"E2E-{i:04d}", amount=i * 101 + 1) for i in range(1, 201)))
    root = parsed(sepa_credit_transfer(many, DEBTOR))
    expected = sum(i * 101 + 1 for i in range(1, 201))
    assert many.total_minor == expected
    sums = texts(root, ".//p:CtrlSum")
    assert sums == [f"{expected // 100}.{expected % 100:02d}"] * 2  # group header and the payment block
    assert sum(Decimal(v) for v in texts(root, ".//p:InstdAmt")) * 100 == expected
    assert texts(root, ".//p:NbOfTxs") == ["200", "200"]


def test_same_batch_same_bytes() -> None:
    assert sepa_credit_transfer(three_lines(), DEBTOR) == sepa_credit_transfer(three_lines(), DEBTOR)
    other = PayoutBatch(
        batch_id="SD-2025W02-SEPA-2", execution_date=EXECUTION, created_at=CREATED, lines=three_lines().lines
    )
    assert sepa_credit_transfer(other, DEBTOR) != sepa_credit_transfer(three_lines(), DEBTOR)


def test_a_bad_iban_checksum_names_the_line_and_payee() -> None:
    bad = line("01JH00000000000000000000B2", name="Mila Kovac", destination=BankAccount("DE89370400440532013001"))
    with pytest.raises(errors.InvalidIban) as caught:
        sepa_credit_transfer(batch(line(), bad), DEBTOR)
    assert caught.value.code == "payouts.invalid_iban"
    assert "01JH00000000000000000000B2" in caught.value.message and "Mila Kovac" in caught.value.message
    assert "checksum" in caught.value.message.lower()
    assert caught.value.extra["end_to_end_id"] == "01JH00000000000000000000B2"


def test_a_bad_debtor_iban_or_creditor_bic_is_refused() -> None:
    with pytest.raises(errors.InvalidIban, match="debtor account"):
        sepa_credit_transfer(batch(line()), SepaDebtor(name="Op", iban="DE00370400440532013000"))
    with pytest.raises(errors.InvalidBic, match="01JH00000000000000000000A1"):
        sepa_credit_transfer(batch(line(destination=BankAccount("DE89370400440532013000", "C0BA"))), DEBTOR)


def test_another_currency_is_refused_by_name() -> None:
    usd = line("01JH00000000000000000000C1", name="Kim Park", currency="USD")
    with pytest.raises(errors.UnsupportedCurrency) as caught:
        sepa_credit_transfer(batch(line(), usd), DEBTOR)
    assert caught.value.code == "payouts.unsupported_currency"
    assert "USD" in caught.value.message and "Kim Park" in caught.value.message
    assert caught.value.extra == {"end_to_end_id": "01JH00000000000000000000C1", "currency": "USD"}


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(errors.EmptyBatch, match="SD-2025W02-SEPA-1 has no lines"):
        sepa_credit_transfer(batch(), DEBTOR)


def test_end_to_end_ids_longer_than_35_or_outside_the_sepa_set_are_refused() -> None:
    assert line("X" * 35).end_to_end_id == "X" * 35
    for bad in ("X" * 36, "", "/LEADING", "a//b", "naïve", "tab\tid"):
        with pytest.raises(errors.InvalidEndToEndId) as caught:
            line(bad)
        assert caught.value.code == "payouts.invalid_end_to_end_id"
    with pytest.raises(errors.InvalidEndToEndId, match="36") as caught:
        line("A" * 36)
    assert caught.value.extra["length"] == 36


def test_lines_refuse_floats_zero_and_duplicates() -> None:
    with pytest.raises(errors.InvalidPayoutLine, match="whole number"):
        line(amount=12.5)  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidPayoutLine, match="whole number"):
        line(amount=0)
    with pytest.raises(errors.InvalidPayoutLine, match="appears twice"):
        batch(line(), line())


def test_a_non_bank_line_does_not_go_into_a_sepa_file() -> None:
    wallet = line("01JH00000000000000000000D1", destination=EWalletAccount("ana@example.com"))
    with pytest.raises(errors.WrongPayoutMethod, match="01JH00000000000000000000D1"):
        sepa_credit_transfer(batch(wallet), DEBTOR)


def test_validate_pain001_reports_what_is_wrong() -> None:
    xml = sepa_credit_transfer(batch(line()), DEBTOR)
    broken = xml.replace(b"<NbOfTxs>1</NbOfTxs>", b"<NbOfTxs>one</NbOfTxs>", 1)
    with pytest.raises(errors.SepaSchemaInvalid) as caught:
        validate_pain001(broken)
    assert caught.value.code == "payouts.sepa_schema_invalid"
    assert "NbOfTxs" in caught.value.message
    with pytest.raises(errors.ReportUnreadable):
        validate_pain001(b"<Document><unclosed></Document>")
