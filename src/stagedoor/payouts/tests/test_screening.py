"""Sanctions screening: the list loader (versioned, audited, all or nothing), fuzzy matching of legal and holder
names, the clearance queue (console and API), decisions, the PAYEE gate and `payout_blockers`."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from stagedoor.core.errors import ValidationFailed
from stagedoor.core.gates import PAYEE, GateContext, gate_checks, gate_refusal
from stagedoor.core.models import AuditEntry
from stagedoor.payouts import conf, errors, selectors, services
from stagedoor.payouts.models import SanctionsList, SanctionsName, ScreeningCase
from stagedoor.payouts.tests.helpers import IBAN, performer_named, sdn_row, write_list
from stagedoor.web.tests.console_helpers import client_for, staff

pytestmark = pytest.mark.django_db


def _codes(performer: Any) -> list[str]:
    return [b.code for b in selectors.payout_blockers(performer)]


def _set(performer: Any, holder: str) -> Any:
    return services.payout_method_set(performer=performer, kind="sepa", holder_name=holder, fields={"iban": IBAN})


# --- the loader -------------------------------------------------------------------------------------------


def test_the_sample_loads_versioned_and_audited_and_again_is_unchanged() -> None:
    result = services.sanctions_list_load(actor="cli")
    listing = result.sanctions_list
    assert (result.created, listing.source, listing.entries, listing.names) == (True, "sample", 6, 8)
    assert len(listing.sha256) == 64 and listing.loaded_by_label == "cli"
    assert SanctionsName.objects.filter(sanctions_list=listing, sdn_type="vessel").count() == 0
    [entry] = AuditEntry.objects.filter(action="payouts.sanctions_list_loaded")
    assert (entry.target_id, entry.data["entries"], entry.data["sha256"]) == (listing.pk, 6, listing.sha256)
    again = services.sanctions_list_load(actor="cli")
    assert (again.created, again.sanctions_list.pk) == (False, listing.pk)
    assert SanctionsList.objects.count() == 1


def test_malformed_rows_are_reported_with_line_numbers_and_nothing_is_loaded(tmp_path: Path) -> None:
    good = services.sanctions_list_load(actor="cli").sanctions_list
    bad = write_list(
        tmp_path / "bad",
        sdn_row(1, "FIRST, Good Demo") + 'two,"BROKEN, Row"\n' + sdn_row("x7", "NOTANUMBER, Demo") + sdn_row(1, "DUP"),
        '1,10,"a.k.a.","ALIAS, Demo","-0- "\n99,11,"a.k.a.","ORPHAN, Demo","-0- "\n',
    )
    with pytest.raises(errors.SanctionsListMalformed) as caught:
        services.sanctions_list_load(source=bad, actor="cli")
    assert caught.value.extra["problems"] == [
        "sdn.csv line 2: expected 12 fields, found 2",
        "sdn.csv line 3: ent_num 'x7' is not a whole number",
        "sdn.csv line 4: ent_num 1 appears twice",
        "alt.csv line 2: ent_num 99 is not in sdn.csv",
    ]
    assert caught.value.message == "The sanctions list has 4 malformed row(s); nothing was loaded."
    assert list(SanctionsList.objects.all()) == [good]
    assert SanctionsName.objects.exclude(sanctions_list=good).count() == 0
    [refused] = AuditEntry.objects.filter(action="payouts.sanctions_list_refused")
    assert refused.data["count"] == 4


def test_the_command_loads_a_list_and_reports_errors(tmp_path: Path) -> None:
    source = write_list(
        tmp_path / "ok",
        sdn_row(10, "QUILLFEATHER, Orla Demo") + sdn_row(11, "SAMPLE VESSEL", "vessel") + "\x1a\n",
        '10,100,"a.k.a.","FEATHERQUILL, Orla","-0- "\n',
    )
    out = StringIO()
    call_command("payouts_sanctions", "load", str(source), stdout=out)
    assert out.getvalue().startswith("OK loaded 2 entries (2 names) from ")
    listing = selectors.current_sanctions_list()
    assert listing is not None and listing.source == str(source)
    status = StringIO()
    call_command("payouts_sanctions", "status", stdout=status)
    assert "2 entries, 2 names" in status.getvalue()
    broken = write_list(tmp_path / "broken", sdn_row(12, ""))
    err = StringIO()
    with pytest.raises(CommandError, match="1 malformed row"):
        call_command("payouts_sanctions", "load", str(broken / "sdn.csv"), stderr=err)
    assert err.getvalue() == "FAIL sdn.csv line 1: SDN_Name is empty\n"


# --- matching --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("legal_name", "ent_num"),
    [
        ("Ivo Demo Krasnov", 9000001),  # word order
        ("Marta Ornskold Pahittad", 9000006),  # diacritics in the list, none in the name
        ("Ivo Demo Krasnow", 9000001),  # a one-letter typo
        ("Lucy Fictiva Ochoa", 9000002),  # an alias (alt.csv)
    ],
)
def test_a_close_legal_name_opens_one_case(make_user: Any, legal_name: str, ent_num: int) -> None:
    performer = performer_named(make_user, legal_name)
    _set(performer, legal_name)
    [case] = ScreeningCase.objects.all()
    assert (case.performer_id, case.ent_num, case.subject, case.status) == (performer.pk, ent_num, "legal_name", "open")
    assert conf.sanctions_threshold() <= case.score <= 100
    assert case.screened_name == legal_name
    assert _codes(performer) == ["payouts.sanctions_open"]
    assert AuditEntry.objects.filter(action="payouts.screening_opened", target_id=case.pk).count() == 1


def test_an_unrelated_name_opens_nothing_and_the_performer_is_payable(make_user: Any) -> None:
    performer = performer_named(make_user, "Annika Smithfield")
    assert _codes(performer) == ["payouts.no_payout_method"]
    _set(performer, "Annika Smithfield")
    assert ScreeningCase.objects.count() == 0
    assert _codes(performer) == []
    assert gate_refusal(PAYEE, GateContext(user=performer)) is None


def test_the_threshold_is_the_operators(make_user: Any, settings: Any) -> None:
    settings.STAGEDOOR_PAYOUTS_SANCTIONS_THRESHOLD = "100"
    performer = performer_named(make_user, "Ivo Demo Krasnow")  # 93: below a threshold of 100
    _set(performer, "Ivo Demo Krasnow")
    assert ScreeningCase.objects.count() == 0


def test_a_new_list_screens_everyone_and_does_not_reopen_cleared_cases(make_user: Any, tmp_path: Path) -> None:
    reviewer = make_user("compliance", mfa=True)
    services.sanctions_list_load(actor="cli")
    orla = performer_named(make_user, "Orla Demo Quillfeather")
    ivo = performer_named(make_user, "Krasnov Ivo Demo")
    plain = performer_named(make_user, "Annika Smithfield")
    listing = selectors.current_sanctions_list()
    assert listing is not None
    first = services.sanctions_screen_everyone(listing)
    [ivo_case] = ScreeningCase.objects.all()
    assert first[1] == 1 and ivo_case.performer_id == ivo.pk
    services.screening_case_decide(actor=reviewer, case_id=ivo_case.pk, decision="clear", reason="Different DOB")
    sample = conf.SAMPLE_DIR
    source = write_list(
        tmp_path / "new",
        (sample / "sdn.csv").read_text(encoding="utf-8") + sdn_row(10, "QUILLFEATHER, Orla Demo"),
        (sample / "alt.csv").read_text(encoding="utf-8"),
    )
    result = services.sanctions_list_load(source=source, actor="cli")
    assert (result.created, result.opened) == (True, 1)
    assert result.screened >= 3
    [orla_case] = ScreeningCase.objects.filter(status="open")
    assert (orla_case.performer_id, orla_case.ent_num, orla_case.score) == (orla.pk, 10, 100)
    assert ScreeningCase.objects.get(pk=ivo_case.pk).status == "cleared"  # a cleared name stays cleared
    assert not ScreeningCase.objects.filter(performer=plain).exists()


def test_the_holder_name_is_screened_too(make_user: Any) -> None:
    performer = performer_named(make_user, "Teodor Exempel Zlotnik Brauer")
    _set(performer, "Teodor Zlotnik-Brauer")  # the holder as the bank writes it: close enough to the legal name
    subjects = sorted(ScreeningCase.objects.filter(performer=performer).values_list("subject", flat=True))
    assert subjects == ["holder_name", "legal_name"]


# --- decisions, the gate, blockers --------------------------------------------------------------------


def test_decisions_need_a_reason_and_are_audited_and_a_confirmed_match_blocks_payment(make_user: Any) -> None:
    assert "payouts.sanctions_clear" in gate_checks(PAYEE)
    reviewer = make_user("finance", mfa=True)
    performer = performer_named(make_user, "Ivo Demo Krasnov")
    _set(performer, "Ivo Demo Krasnov")
    [case] = ScreeningCase.objects.all()
    with pytest.raises(ValidationFailed) as caught:
        services.screening_case_decide(actor=reviewer, case_id=case.pk, decision="clear", reason="  ")
    assert caught.value.code == "payouts.reason_required"
    case.refresh_from_db()
    assert case.status == "open" and not AuditEntry.objects.filter(action__startswith="payouts.screening_c").exists()
    services.screening_case_decide(actor=reviewer, case_id=case.pk, decision="confirm", reason="Same DOB, passport")
    case.refresh_from_db()
    assert (case.status, case.decided_by_label, case.reason) == ("confirmed", reviewer.login, "Same DOB, passport")
    [entry] = AuditEntry.objects.filter(action="payouts.screening_confirmed")
    assert (entry.actor_id, entry.target_id, entry.data["reason"]) == (reviewer.pk, case.pk, "Same DOB, passport")
    refusal = gate_refusal(PAYEE, GateContext(user=performer))
    assert refusal is not None and refusal.code == "payouts.sanctions_confirmed"
    assert _codes(performer) == ["payouts.sanctions_confirmed"]
    with pytest.raises(errors.ScreeningCaseDecided):
        services.screening_case_decide(actor=reviewer, case_id=case.pk, decision="clear", reason="changed my mind")


def test_a_confirmed_match_refuses_a_tip_and_nothing_moves(make_user: Any) -> None:
    from stagedoor.wallet import errors as wallet_errors
    from stagedoor.wallet import selectors as wallet_selectors
    from stagedoor.wallet import services as wallet_services
    from stagedoor.wallet.tests.conftest import fund_wallet

    reviewer = make_user("compliance", mfa=True)
    performer = performer_named(make_user, "Ivo Demo Krasnov")
    _set(performer, "Ivo Demo Krasnov")
    case = ScreeningCase.objects.get()
    services.screening_case_decide(actor=reviewer, case_id=case.pk, decision="confirm", reason="Confirmed by ID")
    viewer = make_user("viewer")
    fund_wallet(viewer, 100)
    with pytest.raises(wallet_errors.PayeeRefused) as caught:
        wallet_services.tip_send(sender=viewer, performer=performer, amount=10, idempotency_key="tip-sanctioned-1")
    assert caught.value.extra == {"reason": "payouts.sanctions_confirmed"}
    assert wallet_selectors.wallet_balance(viewer) == 100


def test_blockers_name_every_reason(make_user: Any) -> None:
    from stagedoor.verification.models import PerformerStanding

    unverified = make_user("performer", verified=False)
    assert _codes(unverified) == ["payouts.identity_unverified", "payouts.no_payout_method"]
    lena = performer_named(make_user, "Lena Marie Vogt")
    services.payout_method_set(performer=lena, kind="sepa", holder_name="Lena Vogt", fields={"iban": IBAN})
    # the identity is re-verified under another name: the payout account is no longer in their own name
    from stagedoor.verification.models import Verification

    Verification.objects.filter(pk=PerformerStanding.objects.get(user=lena).verification_id).update(
        legal_name="Helena Grünewald"
    )
    assert _codes(lena) == ["payouts.holder_name_mismatch"]


# --- console and API ----------------------------------------------------------------------------------


def test_the_clearance_queue_highest_score_first_and_a_decision_from_the_console(make_user: Any) -> None:
    typo = performer_named(make_user, "Ivo Demo Krasnow")
    exact = performer_named(make_user, "Lucinda Fictiva Valderrama Ochoa")
    _set(typo, "Ivo Demo Krasnow")
    _set(exact, "Lucinda Fictiva Valderrama Ochoa")
    actor, client = staff(make_user, "compliance")
    page = client.get("/staff/sanctions/")
    assert page.status_code == 200
    html = page.content.decode()
    exact_case = ScreeningCase.objects.get(performer=exact)
    typo_case = ScreeningCase.objects.get(performer=typo)
    assert exact_case.score == 100 > typo_case.score
    assert html.index(f'data-testid="case-{exact_case.pk}"') < html.index(f'data-testid="case-{typo_case.pk}"')
    refused = client.post(f"/staff/sanctions/cases/{typo_case.pk}/decide", {"decision": "clear"}, follow=True)
    assert "give the reason" in refused.content.decode()
    done = client.post(
        f"/staff/sanctions/cases/{typo_case.pk}/decide",
        {"decision": "clear", "reason": "Different person: date of birth differs"},
        follow=True,
    )
    assert done.status_code == 200
    typo_case.refresh_from_db()
    assert (typo_case.status, typo_case.decided_by_label) == ("cleared", actor.login)
    assert AuditEntry.objects.filter(action="payouts.screening_cleared", actor_id=actor.pk).count() == 1
    person = client.get(f"/staff/users/{exact.pk}/").content.decode()
    assert 'data-testid="panel-payout-method"' in person and "DE89 •••• 3000" in person
    assert "VALDERRAMA OCHOA, Lucinda Fictiva" in person and IBAN not in person
    moderator = client_for(make_user("moderator", mfa=True))
    assert moderator.get("/staff/sanctions/").status_code in (302, 403)


def test_staff_see_why_a_change_was_refused(make_user: Any) -> None:
    lena = performer_named(make_user, "Lena Marie Vogt")
    with pytest.raises(errors.HolderNameMismatch):
        services.payout_method_set(performer=lena, kind="sepa", holder_name="Max Mustermann", fields={"iban": IBAN})
    _, client = staff(make_user, "finance")
    person = client.get(f"/staff/users/{lena.pk}/").content.decode()
    assert 'data-testid="panel-payout-refusals"' in person
    assert "account holder did not match the verified legal name" in person


def test_the_staff_api(make_user: Any, api_client: Any) -> None:
    performer = performer_named(make_user, "Ivo Demo Krasnov")
    _set(performer, "Ivo Demo Krasnov")
    reviewer = make_user("compliance", mfa=True)
    client = api_client(reviewer)
    [row] = client.get("/api/v1/staff/sanctions/cases").json()
    assert (row["performer_id"], row["matched_name"], row["status"]) == (performer.pk, "KRASNOV, Ivo Demo", "open")
    bad = client.post(
        f"/api/v1/staff/sanctions/cases/{row['id']}/decision",
        {"decision": "clear", "reason": ""},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "payouts.reason_required"
    ok = client.post(
        f"/api/v1/staff/sanctions/cases/{row['id']}/decision",
        {"decision": "clear", "reason": "Different person"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "cleared"
    assert client.get("/api/v1/staff/sanctions/cases").json() == []
    assert [c["status"] for c in client.get("/api/v1/staff/sanctions/cases?status=all").json()] == ["cleared"]
    [listing] = client.get("/api/v1/staff/sanctions/lists").json()
    assert listing["entries"] == 6
    status = client.get(f"/api/v1/staff/payouts/users/{performer.pk}").json()
    assert status["method"]["masked"] == "DE89 •••• 3000" and status["blockers"] == []
    missing = client.post(
        "/api/v1/staff/sanctions/cases/01AAAAAAAAAAAAAAAAAAAAAAAA/decision",
        {"decision": "clear", "reason": "x"},
        content_type="application/json",
    )
    assert missing.status_code == 404


def test_an_approved_identity_is_screened_once_a_list_is_loaded(
    make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from stagedoor.core.outbox import outbox_publish
    from stagedoor.verification.events import VERIFICATION_DECIDED

    performer = performer_named(make_user, "Ivo Demo Krasnov")
    payload = {"verification_id": "v1", "user_id": performer.pk, "purpose": "onboarding", "status": "approved"}
    with django_capture_on_commit_callbacks(execute=True):
        outbox_publish(topic=VERIFICATION_DECIDED, payload=payload)
    assert not ScreeningCase.objects.exists() and selectors.current_sanctions_list() is None  # nothing loaded yet
    services.sanctions_list_load(actor="cli", screen=False)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_publish(topic=VERIFICATION_DECIDED, payload=payload | {"verification_id": "v2"})
    [case] = ScreeningCase.objects.all()
    assert (case.performer_id, case.ent_num, case.subject) == (performer.pk, 9000001, "legal_name")


def test_the_payee_gate_reads_confirmed_matches_once_a_second_not_per_credit(
    make_user: Any, settings: Any, django_assert_num_queries: Any
) -> None:
    """The gate runs on every tip: no query per credit; a confirmation is seen at once where it is decided, and in
    other processes after the recheck interval."""
    from stagedoor.payouts.selectors import confirmed_matches_forget, has_confirmed_match

    settings.STAGEDOOR_PAYOUTS_SANCTIONS_RECHECK_SECONDS = 3600
    reviewer = make_user("compliance", mfa=True)
    performer = performer_named(make_user, "Ivo Demo Krasnov")
    _set(performer, "Ivo Demo Krasnov")
    case = ScreeningCase.objects.get()
    assert has_confirmed_match(performer.pk) is False  # loads the set once
    with django_assert_num_queries(0):
        for _ in range(50):
            assert has_confirmed_match(performer.pk) is False
    # Another process confirms (a row change this process did not make): not seen before the recheck …
    ScreeningCase.objects.filter(pk=case.pk).update(status=ScreeningCase.Status.CONFIRMED)
    assert has_confirmed_match(performer.pk) is False
    settings.STAGEDOOR_PAYOUTS_SANCTIONS_RECHECK_SECONDS = 0  # … and seen once it is due
    assert has_confirmed_match(performer.pk) is True
    # Deciding in this process is seen at once, whatever the interval.
    ScreeningCase.objects.filter(pk=case.pk).update(status=ScreeningCase.Status.OPEN)
    settings.STAGEDOOR_PAYOUTS_SANCTIONS_RECHECK_SECONDS = 3600
    confirmed_matches_forget()
    assert has_confirmed_match(performer.pk) is False
    services.screening_case_decide(actor=reviewer, case_id=case.pk, decision="confirm", reason="Confirmed by ID")
    assert has_confirmed_match(performer.pk) is True
