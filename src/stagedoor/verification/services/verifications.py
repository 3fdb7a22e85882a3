"""Verifications: who someone says they are, checked by a vendor or by our staff, and what a decision changes.

`verification_decide` is the one place a decision lands (a vendor's webhook, a compliance reviewer, the demo):
it records the outcome, updates the performer's standing, closes met re-verification requests, and decides the
performer application the verification belongs to. Every decision is audited and published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.services import user_make_performer
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.outbox import outbox_publish
from stagedoor.verification import conf, errors, events
from stagedoor.verification.models import (
    Method,
    PerformerApplication,
    PerformerStanding,
    ReverificationRequest,
    Verification,
)
from stagedoor.verification.vendors import base, vendor_get

ADULT_AGE = 18
OUTCOMES = {
    base.APPROVED: Verification.Status.APPROVED,
    base.DECLINED: Verification.Status.DECLINED,
    base.RESUBMIT: Verification.Status.RESUBMIT,
}


@dataclass(frozen=True)
class Identity:
    legal_name: str
    date_of_birth: date
    country: str


def invalid(field: str, message: str) -> ValidationFailed:
    """One field's problem, its message also the error's (what a console page shows)."""
    return ValidationFailed(message, extra={"fields": {field: [message]}})


def normalized_name(name: str) -> str:
    return " ".join(name.casefold().split())


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def identity_clean(*, legal_name: str, date_of_birth: str | date, country: str, today: date | None = None) -> Identity:
    """Validated identity claims, or ValidationFailed naming each bad field (nothing is stored either way)."""
    today = today or timezone.now().date()
    fields: dict[str, list[str]] = {}
    name = " ".join((legal_name or "").split())
    if not 2 <= len(name) <= 120:
        fields["legal_name"] = ["Enter your full legal name as on your ID (2–120 characters)."]
    code = (country or "").strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        fields["country"] = ["Use a two-letter country code (ISO 3166-1), e.g. DE."]
    born: date | None = None
    if isinstance(date_of_birth, date):
        born = date_of_birth
    else:
        try:
            born = date.fromisoformat(str(date_of_birth or "").strip())
        except ValueError:
            fields["date_of_birth"] = ["Enter your date of birth as YYYY-MM-DD."]
    if born is not None:
        if born > today:
            fields["date_of_birth"] = ["Your date of birth cannot be in the future."]
        elif age_on(born, today) < ADULT_AGE:
            fields["date_of_birth"] = [f"You must be at least {ADULT_AGE} years old."]
        elif born.year < today.year - 120:
            fields["date_of_birth"] = ["Check the year of your date of birth."]
    if fields:
        if set(fields) == {"date_of_birth"}:
            raise errors.DateOfBirthRefused(fields["date_of_birth"][0], extra={"fields": fields})
        raise ValidationFailed(extra={"fields": fields})
    assert born is not None
    return Identity(legal_name=name, date_of_birth=born, country=code)


def method_check(method: str) -> str:
    """A method offered here: manual upload, or a configured vendor."""
    if method == Method.MANUAL:
        return method
    if method in conf.identity_vendors():
        return method
    raise errors.MethodNotAvailable(extra={"method": method, "available": [Method.MANUAL, *conf.identity_vendors()]})


def verification_create(
    *,
    purpose: str,
    method: str,
    identity: Identity,
    user: User | None = None,
    coperformer: Any = None,
) -> Verification:
    """A new attempt (inside the caller's transaction); a vendor session is started after commit."""
    return Verification.objects.create(
        user=user,
        coperformer=coperformer,
        purpose=purpose,
        method=method,
        legal_name=identity.legal_name,
        date_of_birth=identity.date_of_birth.isoformat(),
        country=identity.country,
    )


def return_url_for(verification: Verification) -> str:
    if verification.purpose == Verification.Purpose.RECOVERY:
        return f"{conf.base_url()}/recover/return?v={verification.pk}"
    if verification.purpose == Verification.Purpose.COPERFORMER:
        return f"{conf.base_url()}/studio/coperformers?v={verification.pk}"
    return f"{conf.base_url()}/verify?v={verification.pk}"


def verification_vendor_start(*, verification: Verification) -> Verification:
    """Open the vendor's session (HTTP, outside any transaction). An outage is recorded on the verification with a
    reason the person sees, and they can retry: nothing is lost."""
    if not verification.is_vendor or verification.status != Verification.Status.STARTED:
        raise errors.VerificationNotOpen()
    if verification.vendor_session_id:
        return verification
    adapter = vendor_get(verification.method)
    request = base.SessionRequest(
        reference=verification.pk,
        return_url=return_url_for(verification),
        person=base.Person(
            legal_name=verification.legal_name,
            date_of_birth=date.fromisoformat(verification.date_of_birth) if verification.date_of_birth else None,
            country=verification.country,
        ),
    )
    attempts = verification.vendor_attempts + 1
    try:
        if adapter is None:
            raise base.VendorError(f"{verification.method} is not configured any more")
        session = adapter.session_create(request)
    except base.VendorError as exc:
        Verification.objects.filter(pk=verification.pk).update(vendor_error=str(exc)[:300], vendor_attempts=attempts)
        verification.vendor_error, verification.vendor_attempts = str(exc)[:300], attempts
        return verification
    Verification.objects.filter(pk=verification.pk).update(
        vendor_session_id=session.session_id[:100], vendor_url=session.url, vendor_error="", vendor_attempts=attempts
    )
    verification.vendor_session_id, verification.vendor_url = session.session_id[:100], session.url
    verification.vendor_error, verification.vendor_attempts = "", attempts
    return verification


def verification_retry(*, user: User, verification_id: str) -> Verification:
    """The person asks again after a vendor outage."""
    verification = Verification.objects.filter(pk=verification_id, user=user).first()
    if verification is None:
        raise errors.VerificationNotFound()
    return verification_vendor_start(verification=verification)


# --- decisions --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VendorFacts:
    """What a vendor's decision said about the document and the person on it."""

    decided_at: datetime | None = None
    legal_name: str = ""
    date_of_birth: date | None = None
    document_type: str = ""
    document_country: str = ""


def _standing_refresh(user_id: Any, verification: Verification, now: datetime) -> None:
    """The performer is verified as of now: their standing rests on this approval, open requests are met."""
    PerformerStanding.objects.update_or_create(
        user_id=user_id,
        defaults={
            "verification": verification,
            "verified_at": now,
            "document_expires_on": verification.document_expires_on,
            "request_deadline": None,
            "request_reason": "",
        },
    )
    ReverificationRequest.objects.filter(user_id=user_id, met_at__isnull=True, created_at__lte=now).update(met_at=now)


def _application_follow(
    verification: Verification, *, approved: bool, declined: bool, actor: Any, now: datetime
) -> None:
    application = (
        PerformerApplication.objects.select_for_update()
        .filter(verification=verification, status=PerformerApplication.Status.PENDING)
        .first()
    )
    if application is None or not (approved or declined):
        return
    application.status = PerformerApplication.Status.APPROVED if approved else PerformerApplication.Status.REJECTED
    application.note = verification.reason[:2000]
    application.decided_at = now
    application.decided_by = actor if isinstance(actor, User) else None
    application.save(update_fields=["status", "note", "decided_at", "decided_by"])
    if approved:
        user_make_performer(user_id=application.user_id, stage_name=application.stage_name)
    audit_record(
        actor=actor,
        action="performer.application_approved" if approved else "performer.application_rejected",
        target=application.user,
        data={"application_id": application.pk, "user_id": application.user_id, "note": application.note},
    )
    outbox_publish(
        topic=events.PERFORMER_APPLICATION_DECIDED, payload={"application_id": application.pk, "approved": approved}
    )


def verification_decide(
    *,
    verification_id: str,
    status: str,
    actor: Any,
    reason: str = "",
    document_expires_on: date | None = None,
    facts: VendorFacts | None = None,
    ip: str = "",
) -> Verification:
    """Record a decision (approved / declined with reason / more information needed) and everything it changes."""
    if status not in (Verification.Status.APPROVED, Verification.Status.DECLINED, Verification.Status.RESUBMIT):
        raise invalid("decision", "Approve, reject or ask for more information.")
    reason = (reason or "").strip()[:2000]
    with transaction.atomic():
        verification = Verification.objects.select_for_update().filter(pk=verification_id).first()
        if verification is None:
            raise errors.VerificationNotFound()
        if verification.status in (Verification.Status.APPROVED, Verification.Status.DECLINED):
            raise errors.ApplicationDecided("This verification was already decided.")
        now = timezone.now()
        verification.status = status
        verification.reason = reason
        verification.decided_at = now
        verification.decided_by = actor if isinstance(actor, User) else None
        verification.decided_by_label = (actor.login if isinstance(actor, User) else str(actor))[:80]
        if document_expires_on is not None:
            verification.document_expires_on = document_expires_on
        if facts is not None:
            verification.vendor_decided_at = facts.decided_at or now
            verification.vendor_legal_name = facts.legal_name
            verification.vendor_date_of_birth = facts.date_of_birth.isoformat() if facts.date_of_birth else ""
            verification.document_type = facts.document_type
            verification.document_country = facts.document_country
        verification.save()
        approved = status == Verification.Status.APPROVED
        if (
            approved
            and verification.user_id
            and verification.purpose
            in (
                Verification.Purpose.ONBOARDING,
                Verification.Purpose.REVERIFICATION,
            )
        ):
            _standing_refresh(verification.user_id, verification, now)
        _application_follow(
            verification, approved=approved, declined=status == Verification.Status.DECLINED, actor=actor, now=now
        )
        audit_record(
            actor=actor,
            action=f"verification.{status}",
            target=verification,
            ip=ip,
            data={
                "user_id": verification.user_id,
                "coperformer_id": verification.coperformer_id,
                "purpose": verification.purpose,
                "method": verification.method,
                "reason": reason,
                "document_expires_on": verification.document_expires_on,
            },
        )
        outbox_publish(
            topic=events.VERIFICATION_DECIDED,
            payload={
                "verification_id": verification.pk,
                "user_id": verification.user_id,
                "purpose": verification.purpose,
                "status": status,
            },
        )
    return verification


# --- re-verification requests ---------------------------------------------------------------------------


def reverification_request(
    *, user_id: str, source: str, reason: str, actor: Any, deadline: datetime | None = None, ip: str = ""
) -> ReverificationRequest:
    """Staff or a moderation case ask a performer to verify again: due now, refused after the deadline."""
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 500:
        raise invalid("reason", "Say why, in 3–500 characters.")
    if source not in ReverificationRequest.Source.values:
        raise invalid("source", "Staff or moderation.")
    now = timezone.now()
    deadline = deadline or now + timedelta(days=conf.request_days())
    if deadline <= now:
        raise invalid("deadline", "The deadline must be in the future.")
    with transaction.atomic():
        standing = PerformerStanding.objects.select_for_update().filter(user_id=user_id).first()
        if standing is None:
            raise errors.NotVerified()
        label = actor.login if isinstance(actor, User) else str(actor)
        request = ReverificationRequest.objects.create(
            user_id=user_id, source=source, reason=reason, deadline=deadline, requested_by_label=label[:80]
        )
        if standing.request_deadline is None or deadline < standing.request_deadline:
            standing.request_deadline, standing.request_reason = deadline, reason
            standing.save(update_fields=["request_deadline", "request_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="verification.reverification_requested",
            target=request,
            ip=ip,
            data={"user_id": user_id, "source": source, "reason": reason, "deadline": deadline},
        )
    return request


def identity_record_approved(
    *,
    user: User,
    legal_name: str,
    date_of_birth: date,
    country: str,
    actor: Any,
    document_expires_on: date | None = None,
) -> Verification:
    """An approved identity record made by the operator (the demo's invented performers): audited like any decision."""
    identity = identity_clean(legal_name=legal_name, date_of_birth=date_of_birth, country=country)
    with transaction.atomic():
        verification = verification_create(
            purpose=Verification.Purpose.ONBOARDING, method=Method.MANUAL, identity=identity, user=user
        )
        Verification.objects.filter(pk=verification.pk).update(status=Verification.Status.SUBMITTED)
        return verification_decide(
            verification_id=verification.pk,
            status=Verification.Status.APPROVED,
            actor=actor,
            reason="operator record",
            document_expires_on=document_expires_on,
        )


def verification_review_decide(
    *,
    actor: User,
    verification_id: str,
    decision: str,
    reason: str = "",
    document_expires_on: date | None = None,
    ip: str = "",
) -> Verification:
    """A compliance decision on documents that belong to no application (re-verification, a co-performer)."""
    status = {
        "approve": Verification.Status.APPROVED,
        "reject": Verification.Status.DECLINED,
        "more_info": Verification.Status.RESUBMIT,
    }.get(decision)
    if status is None:
        raise invalid("decision", "Approve, reject or ask for more information.")
    reason = (reason or "").strip()
    if decision != "approve" and not reason:
        raise invalid("reason", "Tell the person why, and what to do next.")
    current = Verification.objects.filter(pk=verification_id).values_list("status", flat=True).first()
    if current is None:
        raise errors.VerificationNotFound()
    if current != Verification.Status.SUBMITTED and current not in (
        Verification.Status.APPROVED,
        Verification.Status.DECLINED,
    ):
        raise errors.NotReadyForDecision(extra={"verification_status": current})
    return verification_decide(
        verification_id=verification_id,
        status=status,
        actor=actor,
        reason=reason,
        document_expires_on=document_expires_on,
        ip=ip,
    )
