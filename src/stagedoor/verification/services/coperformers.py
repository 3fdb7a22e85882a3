"""Co-performers: everyone else on a performer's camera is named before the broadcast, each verified — their own
performer account, or a record verified the same way as a performer, with a signed release."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.core.audit import audit_record
from stagedoor.verification import errors
from stagedoor.verification.models import CoPerformer, Verification
from stagedoor.verification.services.verifications import (
    identity_clean,
    invalid,
    method_check,
    normalized_name,
    verification_create,
    verification_vendor_start,
)

RELEASE_VERSION = "2026-11"
RELEASE_TEXT = (
    "I am 18 or older. I agree to appear on camera in broadcasts of the performer named above on this platform, "
    "I consent to being recorded and to the platform keeping my identity records as the law requires, and I can "
    "withdraw this consent for future broadcasts at any time."
)


def _owner(user: User) -> User:
    if user.role != Role.PERFORMER:
        raise errors.NotAPerformer()
    return user


def coperformer_add_account(*, owner: User, login: str, ip: str = "") -> CoPerformer:
    """Another performer of ours joins the broadcast: their own verified identity covers them."""
    _owner(owner)
    account = User.objects.filter(login=(login or "").strip().lower(), role=Role.PERFORMER, is_active=True).first()
    if account is None or account.pk == owner.pk:
        raise invalid("login", "Name another performer's login.")
    with transaction.atomic():
        existing = CoPerformer.objects.filter(owner=owner, account=account, removed_at__isnull=True).first()
        if existing is not None:
            return existing
        coperformer = CoPerformer.objects.create(owner=owner, account=account, stage_name=account.shown_name[:60])
        audit_record(
            actor=owner,
            action="verification.coperformer_added",
            target=coperformer,
            ip=ip,
            data={"account_id": account.pk},
        )
    return coperformer


def coperformer_add_record(
    *,
    owner: User,
    stage_name: str,
    legal_name: str,
    date_of_birth: str | date,
    country: str,
    release_signed_name: str,
    release_accepted: bool,
    method: str,
    ip: str = "",
) -> CoPerformer:
    """Someone without an account: their identity, their signed release, and a verification (vendor or documents)."""
    _owner(owner)
    stage = " ".join((stage_name or "").split())
    if not 2 <= len(stage) <= 60:
        raise invalid("stage_name", "Use 2–60 characters.")
    identity = identity_clean(legal_name=legal_name, date_of_birth=date_of_birth, country=country)
    if not release_accepted or normalized_name(release_signed_name or "") != normalized_name(identity.legal_name):
        raise invalid(
            "release_signed_name", "The co-performer signs the release by typing their legal name and accepting it."
        )
    method = method_check(method)
    with transaction.atomic():
        coperformer = CoPerformer.objects.create(
            owner=owner,
            stage_name=stage,
            legal_name=identity.legal_name,
            date_of_birth=identity.date_of_birth.isoformat(),
            country=identity.country,
            release_signed_name=" ".join(release_signed_name.split())[:120],
            release_signed_at=timezone.now(),
            release_version=RELEASE_VERSION,
        )
        verification = verification_create(
            purpose=Verification.Purpose.COPERFORMER, method=method, identity=identity, coperformer=coperformer
        )
        audit_record(
            actor=owner,
            action="verification.coperformer_added",
            target=coperformer,
            ip=ip,
            data={"verification_id": verification.pk, "method": method, "release_version": RELEASE_VERSION},
        )
    if verification.is_vendor:
        verification_vendor_start(verification=verification)
    return coperformer


def coperformer_declare(*, owner: User, coperformer_id: str, declared: bool, ip: str = "") -> CoPerformer:
    """Put someone on (or take them off) the list for the next broadcast. An unverified co-performer may be listed,
    but the stream will not start while they are."""
    with transaction.atomic():
        coperformer = (
            CoPerformer.objects.select_for_update()
            .filter(pk=coperformer_id, owner=owner, removed_at__isnull=True)
            .first()
        )
        if coperformer is None:
            raise errors.CoPerformerNotFound()
        if coperformer.declared != declared:
            coperformer.declared = declared
            coperformer.save(update_fields=["declared"])
            audit_record(
                actor=owner,
                action="verification.coperformer_declared" if declared else "verification.coperformer_undeclared",
                target=coperformer,
                ip=ip,
            )
    return coperformer


def coperformer_remove(*, owner: User, coperformer_id: str, ip: str = "") -> None:
    """Off the list for good; their record and past appearances stay (records for inspection)."""
    with transaction.atomic():
        updated = CoPerformer.objects.filter(pk=coperformer_id, owner=owner, removed_at__isnull=True).update(
            removed_at=timezone.now(), declared=False
        )
        if not updated:
            raise errors.CoPerformerNotFound()
        audit_record(
            actor=owner,
            action="verification.coperformer_removed",
            target_type="verification.coperformer",
            target_id=coperformer_id,
            ip=ip,
        )
