"""Performer applications: a viewer applies, staff decide. Everything about applications is here, ready to
move to the `verification` app as one module."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.accounts import errors, events
from stagedoor.accounts.models import (
    PerformerApplication,
    User,
)
from stagedoor.accounts.roles import Role
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import NotFound, ValidationFailed
from stagedoor.core.outbox import outbox_publish


def performer_apply(*, user: User, stage_name: str, country: str) -> PerformerApplication:
    stage_name = (stage_name or "").strip()
    country = (country or "").strip().upper()
    fields: dict[str, list[str]] = {}
    if not 2 <= len(stage_name) <= 60:
        fields["stage_name"] = ["Use 2–60 characters."]
    if len(country) != 2 or not country.isalpha():
        fields["country"] = ["Use a two-letter country code (ISO 3166-1)."]
    if fields:
        raise ValidationFailed(extra={"fields": fields})
    if user.role == Role.PERFORMER:
        raise errors.ApplicationDecided("You are already a performer.")
    try:
        with transaction.atomic():
            application = PerformerApplication.objects.create(user=user, stage_name=stage_name, country=country)
            outbox_publish(topic=events.PERFORMER_APPLIED, payload={"application_id": application.id})
    except IntegrityError:
        raise errors.ApplicationExists() from None
    return application


def performer_application_decide(
    *, actor: User, application_id: str, approve: bool, note: str = "", ip: str = ""
) -> PerformerApplication:
    with transaction.atomic():
        application = (
            PerformerApplication.objects.select_for_update().select_related("user").filter(pk=application_id).first()
        )
        if application is None:
            raise NotFound()
        if application.status != PerformerApplication.Status.PENDING:
            raise errors.ApplicationDecided()
        application.status = PerformerApplication.Status.APPROVED if approve else PerformerApplication.Status.REJECTED
        application.note = (note or "")[:2000]
        application.decided_at = timezone.now()
        application.decided_by = actor
        application.save()
        if approve:
            user = application.user
            user.role = Role.PERFORMER
            user.display_name = application.stage_name
            user.save(update_fields=["role", "display_name"])
        audit_record(
            actor=actor,
            action="performer.application_approved" if approve else "performer.application_rejected",
            target=application,
            ip=ip,
            data={"user_id": application.user_id, "note": application.note},
        )
        outbox_publish(
            topic=events.PERFORMER_APPLICATION_DECIDED,
            payload={"application_id": application.id, "approved": approve},
        )
    return application
