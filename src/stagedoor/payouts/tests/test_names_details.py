"""Pure functions: name normalisation and fuzzy scores, payout details checks and masking."""

from __future__ import annotations

import pytest

from stagedoor.payouts.details import DetailsProblem, clean_crypto, clean_details, clean_ewallet, clean_sepa, masked
from stagedoor.payouts.names import name_score, normalized_name
from stagedoor.payouts.tests.helpers import BTC, IBAN, IBAN_BAD

THRESHOLD = 88


def test_normalisation_folds_case_accents_punctuation_and_word_order() -> None:
    assert normalized_name("KRASNOV, Ivo Demo") == "demo ivo krasnov"
    assert normalized_name("Ivo-Demo  Krasnov.") == "demo ivo krasnov"
    assert normalized_name("ÖRNSKÖLD, Märta Påhittad") == "marta ornskold pahittad"
    assert normalized_name("  ") == ""


@pytest.mark.parametrize(
    ("screened", "listed"),
    [
        ("Ivo Demo Krasnov", "KRASNOV, Ivo Demo"),  # word order ("LAST, First" vs "First Last")
        ("Marta Ornskold Pahittad", "ÖRNSKÖLD, Märta Påhittad"),  # diacritics
        ("Ivo Demo Krasnow", "KRASNOV, Ivo Demo"),  # a one-letter typo
        ("Ivo Krasnov", "KRASNOV, Ivo Demo"),  # a middle name left out
    ],
)
def test_close_names_score_at_or_above_the_threshold(screened: str, listed: str) -> None:
    assert name_score(screened, listed) >= THRESHOLD


def test_exact_names_score_100_and_unrelated_names_far_below() -> None:
    assert name_score("Demo Ivo Krasnov", "KRASNOV, Ivo Demo") == 100
    assert name_score("Anna Smithfield", "KRASNOV, Ivo Demo") < 50
    assert name_score("Ivo", "KRASNOV, Ivo Demo") < THRESHOLD  # a short name inside a long one is not a match
    assert name_score("", "KRASNOV, Ivo Demo") == 0


def test_an_iban_is_checked_and_compacted() -> None:
    assert clean_sepa("de89 3704 0044 0532 0130 00", "cobadeffxxx") == {"iban": IBAN, "bic": "COBADEFFXXX"}
    assert clean_sepa(IBAN) == {"iban": IBAN, "bic": ""}


@pytest.mark.parametrize(
    ("iban", "bic", "field", "words"),
    [
        (IBAN_BAD, "", "iban", "fails its checksum"),
        ("", "", "iban", "Enter the IBAN"),
        ("XX00 1234", "", "iban", "not a valid IBAN"),
        (IBAN, "COBA", "bic", "not a valid BIC"),
    ],
)
def test_a_bad_iban_or_bic_names_its_field(iban: str, bic: str, field: str, words: str) -> None:
    with pytest.raises(DetailsProblem) as problem:
        clean_sepa(iban, bic)
    assert problem.value.field == field
    assert words in problem.value.message


@pytest.mark.parametrize(
    "address",
    [
        BTC,
        "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ",  # bech32 may be all upper case
        "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",  # taproot, bech32m
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",  # P2PKH
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",  # P2SH
    ],
)
def test_bitcoin_addresses_with_a_good_checksum_pass(address: str) -> None:
    assert clean_crypto(address)["address"] == (address.lower() if address[:3].lower() == "bc1" else address)


@pytest.mark.parametrize(
    "address",
    [
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr",  # last character changed: bech32 checksum fails
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",  # base58check fails
        "bc1qAr0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",  # mixed case
        "0x52908400098527886E0F7030069857D2E4169EE7",  # an Ethereum address
        "",
    ],
)
def test_bad_bitcoin_addresses_are_refused(address: str) -> None:
    with pytest.raises(DetailsProblem) as problem:
        clean_crypto(address)
    assert problem.value.field == "address"


def test_ewallet_email_and_unknown_kind() -> None:
    assert clean_ewallet(" perf@example.test ") == {"email": "perf@example.test"}
    with pytest.raises(DetailsProblem):
        clean_ewallet("not-an-email")
    with pytest.raises(DetailsProblem) as problem:
        clean_details("cheque", {})
    assert problem.value.field == "kind"


def test_details_are_shown_masked() -> None:
    assert masked("sepa", {"iban": IBAN}) == "DE89 •••• 3000"
    assert masked("ewallet", {"email": "perf@example.test"}) == "p••••@example.test"
    assert masked("crypto", {"address": BTC}) == "bc1q•••• 5mdq"
