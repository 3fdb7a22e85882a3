"""Vendor webhooks: verify, deduplicate, order, apply; every one is logged with its outcome (never its body).

| what arrives | answer | logged as |
|---|---|---|
| a signature that does not match | 401 | forged |
| signed but unreadable | 400 | malformed |
| a session we never opened | 404 | unknown_session |
| a session that is not the one it names (`vendorData`) | 400 | mismatch |
| the same event again | 200, nothing changes | duplicate |
| a decision older than the one recorded, or after a final one | 200, nothing changes | stale |
| the vendor unreachable while we confirm (Onfido's check) | 502: the vendor retries | vendor_error |
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from stagedoor.verification import errors
from stagedoor.verification.models import AgeCheck, Verification, WebhookEvent
from stagedoor.verification.services.age import age_check_decided
from stagedoor.verification.services.recovery import recovery_identity_decided
from stagedoor.verification.services.verifications import (
    OUTCOMES,
    VendorFacts,
    age_on,
    normalized_name,
    verification_decide,
)
from stagedoor.verification.vendors import base, vendor_get

log = logging.getLogger("stagedoor.verification.webhooks")
Out = WebhookEvent.Outcome


@dataclass(frozen=True)
class WebhookResult:
    status: int
    outcome: str
    detail: str = ""


def _log(
    vendor: str,
    outcome: str,
    *,
    status: int,
    detail: str = "",
    event_id: str = "",
    session_id: str = "",
    remote_ip: str = "",
) -> WebhookResult:
    WebhookEvent.objects.create(
        vendor=vendor[:10],
        event_id=event_id[:200],
        session_id=session_id[:100],
        outcome=outcome,
        detail=detail[:300],
        remote_ip=remote_ip[:64],
    )
    level = logging.INFO if outcome in (Out.APPLIED, Out.DUPLICATE, Out.IGNORED, Out.STALE) else logging.WARNING
    log.log(
        level, "verification webhook %s", outcome, extra={"vendor": vendor, "detail": detail, "session": session_id}
    )
    return WebhookResult(status=status, outcome=outcome, detail=detail)


def webhook_receive(*, vendor: str, request: base.WebhookRequest, remote_ip: str = "") -> WebhookResult:
    adapter = vendor_get(vendor)
    if adapter is None:
        return _log(vendor, Out.UNKNOWN_SESSION, status=404, detail="no such vendor configured", remote_ip=remote_ip)
    try:
        decision = adapter.webhook_parse(request)
    except base.ForgedWebhook as exc:
        return _log(vendor, Out.FORGED, status=401, detail=str(exc), remote_ip=remote_ip)
    except base.MalformedWebhook as exc:
        return _log(vendor, Out.MALFORMED, status=400, detail=str(exc), remote_ip=remote_ip)
    except base.VendorError as exc:
        return _log(vendor, Out.VENDOR_ERROR, status=502, detail=str(exc), remote_ip=remote_ip)
    ids = {"event_id": decision.event_id, "session_id": decision.session_id, "remote_ip": remote_ip}
    if decision.outcome == base.IGNORED:
        return _log(vendor, Out.IGNORED, status=200, detail="not a decision", **ids)
    if WebhookEvent.objects.filter(vendor=vendor, event_id=decision.event_id, outcome=Out.APPLIED).exists():
        return _log(vendor, Out.DUPLICATE, status=200, detail="event already applied", **ids)
    check = AgeCheck.objects.filter(vendor=vendor, vendor_session_id=decision.session_id).first()
    if check is not None:
        if decision.reference and decision.reference != check.pk:
            return _log(vendor, Out.MISMATCH, status=400, detail="reference names another check", **ids)
        if check.status != AgeCheck.Status.STARTED:
            return _log(vendor, Out.STALE, status=200, detail=f"age check already {check.status}", **ids)
        passed = decision.outcome == base.APPROVED and _adult(decision) is not False
        age_check_decided(check_id=check.pk, passed=passed)
        return _log(vendor, Out.APPLIED, status=200, detail="age check passed" if passed else "age check failed", **ids)
    verification = Verification.objects.filter(method=vendor, vendor_session_id=decision.session_id).first()
    if verification is None:
        return _log(vendor, Out.UNKNOWN_SESSION, status=404, detail="no verification has this session", **ids)
    if decision.reference and decision.reference != verification.pk:
        return _log(vendor, Out.MISMATCH, status=400, detail="reference names another verification", **ids)
    recorded = verification.vendor_decided_at
    if recorded is not None and decision.decided_at is not None and decision.decided_at <= recorded:
        return _log(vendor, Out.STALE, status=200, detail="older than the decision recorded", **ids)
    if verification.status in (Verification.Status.APPROVED, Verification.Status.DECLINED):
        return _log(vendor, Out.STALE, status=200, detail=f"already {verification.status}", **ids)
    status, reason = OUTCOMES[decision.outcome], decision.reason
    adult = _adult(decision)
    if status == Verification.Status.APPROVED and adult is False:
        status, reason = Verification.Status.DECLINED, "The date of birth on the document is under 18."
    elif (
        status == Verification.Status.APPROVED
        and verification.purpose != Verification.Purpose.RECOVERY  # recovery matches the verified record itself
        and not _matches_claim(verification, decision)
    ):
        status, reason = (
            Verification.Status.RESUBMIT,
            "The name or date of birth on the document does not match what you entered.",
        )
    facts = VendorFacts(
        decided_at=decision.decided_at or timezone.now(),
        legal_name=decision.person.legal_name,
        date_of_birth=decision.person.date_of_birth,
        document_type=decision.document_type,
        document_country=decision.document_country,
    )
    try:
        if verification.purpose == Verification.Purpose.RECOVERY:
            recovery_identity_decided(
                verification_id=verification.pk,
                status=status,
                reason=reason,
                facts=facts,
                document_expires_on=decision.document_expires_on,
                actor=f"vendor:{vendor}",
            )
        else:
            verification_decide(
                verification_id=verification.pk,
                status=status,
                actor=f"vendor:{vendor}",
                reason=reason,
                document_expires_on=decision.document_expires_on,
                facts=facts,
            )
    except errors.ApplicationDecided:
        return _log(vendor, Out.STALE, status=200, detail="decided meanwhile", **ids)
    return _log(vendor, Out.APPLIED, status=200, detail=f"{verification.purpose}: {status}", **ids)


def _adult(decision: base.VendorDecision) -> bool | None:
    if decision.age_over_18 is not None:
        return decision.age_over_18
    born = decision.person.date_of_birth
    if born is None:
        return None
    return age_on(born, timezone.now().date()) >= 18


def _matches_claim(verification: Verification, decision: base.VendorDecision) -> bool:
    """The document's person is the one who applied (when the vendor tells us who is on it)."""
    person = decision.person
    claimed_dob = date.fromisoformat(verification.date_of_birth) if verification.date_of_birth else None
    if person.date_of_birth is not None and claimed_dob is not None and person.date_of_birth != claimed_dob:
        return False
    if person.legal_name and verification.legal_name:
        return normalized_name(person.legal_name) == normalized_name(verification.legal_name)
    return True
