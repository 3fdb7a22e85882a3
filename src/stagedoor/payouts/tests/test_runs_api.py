"""Payout runs over HTTP and in the console: make, approve (four-eyes), send, download, performer history and
statement (page and CSV)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from stagedoor.core.models import AuditEntry
from stagedoor.payouts.models import PayoutItem, PayoutRun
from stagedoor.payouts.tests.test_runs import _lena_matured, _paid_performer, _payout_settings, _period, _tip  # noqa: F401
from stagedoor.wallet.tests.conftest import consent
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db


def _api(user: Any) -> Client:
    from stagedoor.accounts.services import api_token_create

    _token, raw = api_token_create(user=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_run_over_the_api_four_eyes_then_send(make_user: Any, settings: Any) -> None:
    settings.STAGEDOOR_PAYOUTS_FOUR_EYES_ABOVE_MINOR = 1000
    alice, bob = make_user("finance"), make_user("finance")
    lena, _end = _lena_matured(make_user)
    made = _api(alice).post("/api/v1/staff/payout-runs", {}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["total_tokens"], body["approvals_needed"], body["counts"]) == (540, 2, {"pending": 1})
    [line] = body["items"]
    assert (line["performer_login"], line["method_masked"], line["amount_minor"]) == (
        lena.login,
        "DE89 •••• 3000",
        2700,
    )
    again = _api(bob).post("/api/v1/staff/payout-runs", {}, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    run_url = f"/api/v1/staff/payout-runs/{body['id']}"
    assert _api(alice).post(f"{run_url}/approve").json()["status"] == "awaiting_approval"
    twice = _api(alice).post(f"{run_url}/approve")
    assert (twice.status_code, twice.json()["code"]) == (409, "payouts.already_approved")
    assert _api(bob).post(f"{run_url}/approve").json()["approved_by"] == [alice.login, bob.login]
    sent = _api(bob).post(f"{run_url}/send").json()
    assert sent["status"] == "sent" and [f["kind"] for f in sent["files"]] == ["sepa"]
    mine = _api(lena).get("/api/v1/me/payouts").json()
    assert [(p["status"], p["amount_tokens"]) for p in mine] == [("sent", 540)]
    bad = _api(bob).post("/api/v1/staff/payout-reports?kind=status", b"<not-xml", content_type="application/xml")
    assert bad.status_code in (400, 422) and bad.json()["code"].startswith("payouts.")
    assert PayoutItem.objects.get(run_id=body["id"]).status == PayoutItem.Status.SENT


def test_console_run_page_and_file_download_are_audited(make_user: Any) -> None:
    finance = make_user("finance")
    lena, _end = _lena_matured(make_user)
    client = client_for(finance)
    made = client.post("/staff/payouts/runs/new")
    run = PayoutRun.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/staff/payouts/runs/{run.pk}/"
    page = client.get(f"/staff/payouts/runs/{run.pk}/")
    assert page.status_code == 200 and lena.login in page.content.decode() and "DE89 •••• 3000" in page.content.decode()
    client.post(f"/staff/payouts/runs/{run.pk}/approve")
    client.post(f"/staff/payouts/runs/{run.pk}/send")
    [file] = PayoutRun.objects.get(pk=run.pk).files.all()
    got = client.get(f"/staff/payouts/runs/{run.pk}/files/{file.pk}")
    assert got.status_code == 200 and b"pain.001.001.03" in got.content
    assert AuditEntry.objects.filter(action="payouts.file_downloaded", target_id=file.pk).exists()
    assert client_for(make_user("moderator")).get("/staff/payouts/").status_code in (302, 403, 404)


def test_performer_statement_page_and_csv(make_user: Any) -> None:
    finance = make_user("finance")
    lena, end = _lena_matured(make_user)
    call_command("payouts_run", "--as", finance.login)
    consent(lena)
    client = client_for(lena)
    span = f"from={(end - timedelta(days=40)).date()}&to={(timezone.now() + timedelta(days=1)).date()}"
    page = client.get(f"/studio/payouts?{span}")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="st-earned">600<' in html
    assert 'data-testid="st-moved">600 (of which 60 kept in reserve)<' in html
    assert 'data-testid="st-closing">0<' in html and 'data-testid="st-reserve">60<' in html
    assert 'data-status="pending"' in html and "DE89 •••• 3000" in html
    rows = client.get(f"/studio/payouts?{span}&format=csv").content.decode().splitlines()
    assert rows[0] == "time_utc,transfer_id,kind,account,tokens,run,memo"
    assert sorted((r.split(",")[2], r.split(",")[3], r.split(",")[4]) for r in rows[1:]) == [
        ("payout", "performer_earnings", "-600"),
        ("payout", "performer_reserve", "60"),
        ("tip", "performer_earnings", "600"),
    ]
    assert client_for(make_user("viewer")).get("/studio/payouts").status_code == 403
