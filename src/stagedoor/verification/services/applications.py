"""Performer applications (moved from accounts): a viewer applies with a stage name, who they are and how they
prove it; a vendor's decision or a compliance reviewer decides. Performers without a verified identity (or due
to verify again) start a verification the same way, without an application."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.accounts.services import user_make_performer
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.outbox import outbox_publish
from stagedoor.verification import errors, events
from stagedoor.verification.models import PerformerApplication, PerformerStanding, Verification
from stagedoor.verification.services.verifications import (
    identity_clean,
    invalid,
    method_check,
    verification_create,
    verification_decide,
    verification_vendor_start,
)

DECISIONS = ("approve", "reject", "more_info")


def _stage_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not 2 <= len(name) <= 60:
        raise invalid("stage_name", "Use 2–60 characters.")
    return name


def performer_apply(
    *,
    user: User,
    stage_name: str,
    legal_name: str,
    date_of_birth: str | date,
    country: str,
    method: str,
    ip: str = "",
) -> PerformerApplication:
    """Apply to perform. Bad input (an age under 18, a date in the future) stores nothing. With a vendor, its
    session is opened after the application is saved: an outage leaves the application pending with a retry."""
    fields: dict[str, list[str]] = {}
    try:
        stage = _stage_name(stage_name)
    except ValidationFailed as exc:
        fields.update(exc.extra["fields"])
        stage = ""
    try:
        identity = identity_clean(legal_name=legal_name, date_of_birth=date_of_birth, country=country)
    except ValidationFailed as exc:
        if fields:
            fields.update(exc.extra.get("fields", {}))
            raise ValidationFailed(extra={"fields": fields}) from None
        raise
    if fields:
        raise ValidationFailed(extra={"fields": fields})
    method = method_check(method)
    if user.role == Role.PERFORMER:
        raise errors.AlreadyPerformer()
    try:
        with transaction.atomic():
            verification = verification_create(
                purpose=Verification.Purpose.ONBOARDING, method=method, identity=identity, user=user
            )
            application = PerformerApplication.objects.create(
                user=user,
                stage_name=stage,
                legal_name=identity.legal_name,
                date_of_birth=identity.date_of_birth.isoformat(),
                country=identity.country,
                verification=verification,
            )
            audit_record(
                actor=user,
                action="performer.applied",
                target=user,
                ip=ip,
                data={"application_id": application.pk, "method": method},
            )
            outbox_publish(topic=events.PERFORMER_APPLIED, payload={"application_id": application.pk})
    except IntegrityError:
        raise errors.ApplicationExists() from None
    if verification.is_vendor:
        application.verification = verification_vendor_start(verification=verification)
    return application


def performer_application_restart(*, user: User, method: str) -> PerformerApplication:
    """After "more information needed" (or a vendor attempt abandoned): a new attempt for the pending application,
    with the identity it already gave."""
    method = method_check(method)
    with transaction.atomic():
        application = (
            PerformerApplication.objects.select_for_update(of=("self",))
            .select_related("verification")
            .filter(user=user, status=PerformerApplication.Status.PENDING)
            .first()
        )
        if application is None:
            raise errors.ApplicationNotFound()
        current = application.verification
        if current is not None and current.status == Verification.Status.SUBMITTED:
            raise errors.VerificationNotOpen("Your documents are with our staff; wait for their decision.")
        identity = identity_clean(
            legal_name=application.legal_name, date_of_birth=application.date_of_birth, country=application.country
        )
        verification = verification_create(
            purpose=Verification.Purpose.ONBOARDING, method=method, identity=identity, user=user
        )
        application.verification = verification
        application.save(update_fields=["verification"])
    if verification.is_vendor:
        application.verification = verification_vendor_start(verification=verification)
    return application


def identity_verify_start(
    *, user: User, legal_name: str, date_of_birth: str | date, country: str, method: str
) -> Verification:
    """A performer proves who they are: the first time (accounts made performers before verification existed) or
    again (document expiry, the schedule, a staff request)."""
    if user.role != Role.PERFORMER:
        raise errors.NotAPerformer()
    identity = identity_clean(legal_name=legal_name, date_of_birth=date_of_birth, country=country)
    method = method_check(method)
    purpose = (
        Verification.Purpose.REVERIFICATION
        if PerformerStanding.objects.filter(user=user).exists()
        else Verification.Purpose.ONBOARDING
    )
    with transaction.atomic():
        verification = verification_create(purpose=purpose, method=method, identity=identity, user=user)
        audit_record(actor=user, action="verification.started", target=verification, data={"method": method})
    if verification.is_vendor:
        verification = verification_vendor_start(verification=verification)
    return verification


def performer_application_decide(
    *,
    actor: User,
    application_id: str,
    decision: str,
    reason: str = "",
    document_expires_on: date | None = None,
    ip: str = "",
) -> PerformerApplication:
    """A compliance decision: approve (the documents prove it), reject with a reason, or ask for more information."""
    if decision not in DECISIONS:
        raise invalid("decision", "Approve, reject or ask for more information.")
    reason = (reason or "").strip()
    if decision != "approve" and not reason:
        raise invalid("reason", "Tell the applicant why, and what to do next.")
    if len(reason) > 2000:
        raise invalid("reason", "Use at most 2,000 characters.")
    with transaction.atomic():
        application = (
            PerformerApplication.objects.select_for_update(of=("self",))
            .select_related("user", "verification")
            .filter(pk=application_id)
            .first()
        )
        if application is None:
            raise errors.ApplicationNotFound()
        if application.status != PerformerApplication.Status.PENDING:
            raise errors.ApplicationDecided()
        verification = application.verification
        if verification is None:
            # applications from before verification existed: a decision on the application alone
            if decision == "more_info":
                raise errors.NotReadyForDecision("This application has no verification to ask more of.")
            return _legacy_decide(application, actor=actor, approve=decision == "approve", note=reason, ip=ip)
        ready = verification.status == Verification.Status.SUBMITTED
        if decision in ("approve", "more_info") and not ready:
            raise errors.NotReadyForDecision(extra={"verification_status": verification.status})
        status = {
            "approve": Verification.Status.APPROVED,
            "reject": Verification.Status.DECLINED,
            "more_info": Verification.Status.RESUBMIT,
        }[decision]
        verification_decide(
            verification_id=verification.pk,
            status=status,
            actor=actor,
            reason=reason,
            document_expires_on=document_expires_on,
            ip=ip,
        )
    application.refresh_from_db()
    return application


def _legacy_decide(
    application: PerformerApplication, *, actor: User, approve: bool, note: str, ip: str
) -> PerformerApplication:
    from django.utils import timezone

    application.status = PerformerApplication.Status.APPROVED if approve else PerformerApplication.Status.REJECTED
    application.note = note[:2000]
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.save(update_fields=["status", "note", "decided_at", "decided_by"])
    if approve:
        user_make_performer(user_id=application.user_id, stage_name=application.stage_name)
    audit_record(
        actor=actor,
        action="performer.application_approved" if approve else "performer.application_rejected",
        target=application.user,
        ip=ip,
        data={"application_id": application.pk, "user_id": application.user_id, "note": application.note},
    )
    outbox_publish(
        topic=events.PERFORMER_APPLICATION_DECIDED, payload={"application_id": application.pk, "approved": approve}
    )
    return application


def application_next_step(
    application: PerformerApplication | None, verification: Verification | None
) -> dict[str, Any]:
    """What the applicant's page says: the status in words and what to do now."""
    if application is None and verification is None:
        return {"state": "none", "text": "", "action": ""}
    status = verification.status if verification else ""
    if application is not None and application.status == PerformerApplication.Status.APPROVED:
        return {"state": "approved", "text": "Approved: you are a performer.", "action": "studio"}
    if application is not None and application.status == PerformerApplication.Status.REJECTED:
        why = f" Reason: {application.note}" if application.note else ""
        return {
            "state": "rejected",
            "text": f"Your application was rejected.{why} You may apply again.",
            "action": "apply",
        }
    if verification is None:
        return {"state": "pending", "text": "Your application is waiting for review.", "action": ""}
    if status == Verification.Status.STARTED and verification.is_vendor:
        if verification.vendor_error:
            return {
                "state": "vendor_error",
                "text": f"We could not reach {verification.get_method_display()} ({verification.vendor_error}). "
                "Your application is kept: try again in a moment.",
                "action": "retry",
            }
        return {
            "state": "vendor",
            "text": f"Finish the identity check on {verification.get_method_display()}'s page.",
            "action": "vendor",
        }
    if status == Verification.Status.STARTED:
        return {
            "state": "documents",
            "text": "Upload the front (and back) of your ID document and a selfie holding it, then submit.",
            "action": "upload",
        }
    if status == Verification.Status.SUBMITTED:
        return {
            "state": "review",
            "text": "Your documents are waiting for review by our compliance team.",
            "action": "",
        }
    if status == Verification.Status.RESUBMIT:
        return {
            "state": "more_info",
            "text": f"More information needed: {verification.reason or 'see the message from our team'}. "
            "Start a new check below.",
            "action": "restart",
        }
    if status == Verification.Status.DECLINED:
        return {"state": "declined", "text": f"Your verification was rejected. {verification.reason}", "action": ""}
    return {"state": "approved", "text": "Your identity is verified.", "action": ""}
