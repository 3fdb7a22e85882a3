"""Erasure: grace period and cancel, every app's eraser, books and audit chain still verifying, no plaintext left,
idempotent and resumable runs, legal holds."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.core import privacy_registry
from stagedoor.core.models import AuditEntry
from stagedoor.core.privacy_registry import erasers
from stagedoor.privacy import errors, services
from stagedoor.privacy.models import ErasureStep, PrivacyRequest, RequestStatus
from stagedoor.privacy.tests.conftest import (
    CHAT_TEXT,
    DISPLAY_NAME,
    EMAIL,
    FAN_MESSAGE,
    LEGAL_NAME,
    REPORT_TEXT,
    TICKET_BODY,
    TIP_MESSAGE,
    Person,
    audit_problems,
    ledger_problems,
    raw_hits,
)
from stagedoor.wallet.models import Tip

pytestmark = pytest.mark.django_db


def _after_grace() -> Any:
    return timezone.now() + timedelta(days=14, minutes=1)


def test_erasure_waits_out_the_grace_period_and_can_be_cancelled(person: Person) -> None:
    req = services.erasure_request(user=person.user)
    assert req.status == RequestStatus.PENDING
    assert req.run_after is not None
    assert timedelta(days=13, hours=23) < req.run_after - req.received_at <= timedelta(days=14)
    assert req.due_at - req.received_at == timedelta(days=30)
    # not due yet: the periodic pass leaves it alone
    assert services.due_requests_run() == 0
    assert ErasureStep.objects.count() == 0
    assert services.erasure_request(user=person.user).pk == req.pk  # asking again: the same request
    cancelled = services.request_cancel(actor=person.user, request_id=req.pk)
    assert cancelled.status == RequestStatus.CANCELLED
    assert services.due_requests_run(now=_after_grace()) == 0
    person.user.refresh_from_db()
    assert person.user.email == EMAIL
    assert person.user.is_active is True
    assert AuditEntry.objects.filter(action="privacy.request_cancelled", target_id=req.pk).count() == 1
    with pytest.raises(errors.RequestNotCancellable):
        services.request_cancel(actor=person.user, request_id=req.pk)


def test_someone_else_cannot_cancel(person: Person, make_user: Any) -> None:
    req = services.erasure_request(user=person.user)
    with pytest.raises(errors.RequestNotFound):
        services.request_cancel(actor=make_user("viewer"), request_id=req.pk)
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING


def test_erasure_pseudonymises_everywhere_and_keeps_books_and_audit_verifying(person: Person) -> None:
    assert raw_hits(EMAIL, DISPLAY_NAME), "the fixture stores the person's details in plaintext before erasure"
    assert ledger_problems() == []
    req = services.erasure_request(user=person.user)
    assert services.due_requests_run(now=_after_grace()) == 1
    req.refresh_from_db()
    assert req.status == RequestStatus.DONE, req.last_error
    assert set(ErasureStep.objects.filter(request=req).values_list("app_label", flat=True)) == set(erasers())
    user = User.objects.get(pk=person.user.pk)
    tombstone = f"erased_{str(user.pk)[-12:].lower()}"
    assert (user.login, user.email, user.display_name) == (tombstone, f"{tombstone}@erased.invalid", "")
    assert user.is_active is False
    assert user.has_usable_password() is False
    assert user.api_tokens.count() == 0
    # no plaintext of the person anywhere in the database
    hits = raw_hits(EMAIL, DISPLAY_NAME, LEGAL_NAME, CHAT_TEXT, FAN_MESSAGE, TICKET_BODY)
    assert hits == [], "\n".join(hits)
    # a tip is an append-only financial record: kept as it was, under the recorded basis
    assert Tip.objects.get(sender_id=user.pk).message == TIP_MESSAGE
    # a report in a case still open is kept word for word, with its legal basis
    person.report.refresh_from_db()
    assert person.report.text == REPORT_TEXT
    moderation = ErasureStep.objects.get(request=req, app_label="moderation")
    assert {"what": "reports and appeals in open cases (with their text)", "count": 1} | {
        "legal_basis": "open moderation case (establishment and defence of legal claims, GDPR Art. 17(3)(e))"
    } in moderation.kept
    # the books and the audit chain still verify, as the operator's commands check them
    assert ledger_problems() == []
    assert audit_problems() == []
    out = io.StringIO()
    call_command("ledger", "verify", stdout=out)
    call_command("audit", "verify", stdout=out)
    assert "OK ledger balanced" in out.getvalue()
    assert "OK audit chain intact" in out.getvalue()
    # the audit entries of the account are still there, naming it by id (its signup, the erasure request)
    assert AuditEntry.objects.filter(action="account.signup", actor_id=str(user.pk)).count() == 1
    # what was kept is recorded with its legal basis
    wallet_step = ErasureStep.objects.get(request=req, app_label="wallet")
    assert wallet_step.status == "kept"
    assert any("HGB" in k["legal_basis"] for k in wallet_step.kept)
    assert "Kept:" in req.outcome
    completed = AuditEntry.objects.get(action="privacy.erasure_completed", target_id=req.pk)
    assert completed.data["user_id"] == str(user.pk)


def test_erasure_is_idempotent(person: Person) -> None:
    req = services.erasure_request(user=person.user)
    services.due_requests_run(now=_after_grace())
    steps = list(
        ErasureStep.objects.filter(request=req).order_by("app_label").values("app_label", "changed", "done_at")
    )
    audit_count = AuditEntry.objects.count()
    again = services.erasure_run(request_id=req.pk)
    assert again.status == RequestStatus.DONE
    assert (
        list(ErasureStep.objects.filter(request=req).order_by("app_label").values("app_label", "changed", "done_at"))
        == steps
    )
    assert AuditEntry.objects.count() == audit_count


def test_a_failed_step_resumes_where_it_stopped(person: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    crashed: list[str] = []
    real = privacy_registry.erasers()

    def wrapped(label: str) -> Any:
        def run(ctx: Any) -> Any:
            calls.append(label)
            if label == "support" and not crashed:
                crashed.append(label)
                raise RuntimeError("disk full")  # a crash in the middle of the run
            return real[label](ctx)

        return run

    monkeypatch.setattr(privacy_registry, "_ERASERS", {label: wrapped(label) for label in real})
    req = services.erasure_request(user=person.user)
    services.due_requests_run(now=_after_grace())
    req.refresh_from_db()
    assert req.status == RequestStatus.FAILED
    assert req.last_error.startswith("support: RuntimeError: disk full")
    done_first = set(ErasureStep.objects.filter(request=req).values_list("app_label", flat=True))
    assert "support" not in done_first
    assert "accounts" not in done_first  # the account row is erased last
    assert User.objects.get(pk=person.user.pk).email == EMAIL
    calls.clear()
    services.due_requests_run(now=_after_grace())
    req.refresh_from_db()
    assert req.status == RequestStatus.DONE
    assert sorted(calls) == sorted(set(real) - done_first)  # finished steps did not run again
    assert raw_hits(EMAIL, DISPLAY_NAME) == []


def test_a_hold_on_the_account_defers_erasure(person: Person, make_user: Any) -> None:
    compliance = make_user("compliance")
    hold = services.legal_hold_place(actor=compliance, user=person.user, reason="subpoena 2026-114 from the court")
    req = services.erasure_request(user=person.user)
    services.due_requests_run(now=_after_grace())
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING
    assert req.last_error == f"deferred: legal hold {hold.pk} in force"
    assert ErasureStep.objects.filter(request=req).count() == 0
    assert User.objects.get(pk=person.user.pk).email == EMAIL
    services.legal_hold_release(actor=compliance, hold_id=hold.pk, reason="case closed by the court")
    services.due_requests_run(now=_after_grace())
    req.refresh_from_db()
    assert req.status == RequestStatus.DONE


def test_a_hold_on_a_case_keeps_that_case_s_evidence(person: Person, make_user: Any) -> None:
    compliance = make_user("compliance")
    case_id = person.report.case_id
    assert case_id is not None
    services.legal_hold_place(
        actor=compliance, target_type="moderation.case", target_id=case_id, reason="evidence for a police request"
    )
    req = services.erasure_request(user=person.user)
    services.due_requests_run(now=_after_grace())
    req.refresh_from_db()
    assert req.status == RequestStatus.DONE
    person.report.refresh_from_db()
    assert person.report.text == REPORT_TEXT  # held: kept word for word
    step = ErasureStep.objects.get(request=req, app_label="moderation")
    held = [k for k in step.kept if "legal hold" in k["what"]]
    assert held == [
        {
            "what": "reports and appeals in cases under a legal hold (with their text)",
            "legal_basis": "legal hold placed by compliance (GDPR Art. 17(3)(e))",
            "count": 1,
        }
    ]
    # everything not held is gone
    assert raw_hits(EMAIL, DISPLAY_NAME, CHAT_TEXT) == []
    assert PrivacyRequest.objects.get(pk=req.pk).status == RequestStatus.DONE
