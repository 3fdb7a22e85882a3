"""Account recovery with an identity check: a performer who lost both password and second factor (or support,
on their behalf) starts it; the same vendor check as at sign-up must match the verified record (name and date of
birth); after a cooling-off period — with every step mailed to the account's address, where the real owner can
cancel — a new password can be set and two-factor is enrolled again at the next sign-in.

Support can start a recovery but never sees a document or the identity data: only the status.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role
from stagedoor.accounts.selectors import require_perm, user_by_email
from stagedoor.accounts.services import user_reset_credentials
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish
from stagedoor.verification import conf, errors, events
from stagedoor.verification.models import PerformerStanding, Recovery, Verification
from stagedoor.verification.services.verifications import (
    Identity,
    VendorFacts,
    normalized_name,
    verification_create,
    verification_decide,
    verification_vendor_start,
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class RecoveryStarted:
    recovery: Recovery
    token: str  # the secret in the link that continues the recovery: shown once, only its hash is stored
    url: str


def _notify(user: User, subject: str, body: str) -> None:
    send_mail(
        f"Stagedoor: {subject}",
        f"Hello {user.shown_name},\n\n{body}\n\nIf this was not you, sign in and cancel the recovery on "
        f"{conf.base_url()}/verify, or contact support at once.\n",
        None,
        [user.email],
    )


def _recorded_identity(user: User) -> Identity | None:
    standing = PerformerStanding.objects.select_related("verification").filter(user=user).first()
    record = standing.verification if standing else None
    if record is None:
        return None
    name = record.vendor_legal_name or record.legal_name
    born = record.vendor_date_of_birth or record.date_of_birth
    if not name or not born:
        return None
    return Identity(legal_name=name, date_of_birth=date.fromisoformat(born), country=record.country)


def recovery_start(*, login: str, actor: Any = None, ip: str = "") -> RecoveryStarted:
    """Start a recovery of the account `login` (a login or e-mail). `actor`: the support agent, or None when the
    person starts it themselves."""
    if actor is not None:
        require_perm(actor, Perm.RECOVERY_START)
    text = (login or "").strip()
    user = User.objects.filter(login=text.lower(), is_active=True).first() or user_by_email(text, active_only=True)
    identity = _recorded_identity(user) if user is not None and user.role == Role.PERFORMER else None
    vendors = conf.identity_vendors()
    if user is None or identity is None or not vendors:
        raise errors.RecoveryNotAllowed(
            "This account cannot be recovered with an identity check (only verified performers can). Contact support."
        )
    token = secrets.token_urlsafe(32)
    label = actor.login if isinstance(actor, User) else "self"
    try:
        with transaction.atomic():
            verification = verification_create(
                purpose=Verification.Purpose.RECOVERY, method=vendors[0], identity=identity, user=user
            )
            recovery = Recovery.objects.create(
                user=user, started_by_label=label, verification=verification, token_hash=token_hash(token)
            )
            audit_record(
                actor=actor if actor is not None else f"recovery:{user.login}",
                action="verification.recovery_started",
                target=user,
                ip=ip,
                data={"recovery_id": recovery.pk, "started_by": label},
            )
            outbox_publish(
                topic=events.RECOVERY_CHANGED,
                payload={"recovery_id": recovery.pk, "user_id": user.pk, "step": "started"},
            )
    except IntegrityError:
        raise errors.RecoveryOpen() from None
    _notify(
        user,
        "account recovery started",
        "A recovery of your account was started"
        + (f" by our support team ({label})" if actor is not None else "")
        + ". Whoever continues it must pass an identity check that matches your verified identity.",
    )
    verification_vendor_start(verification=verification)
    return RecoveryStarted(recovery=recovery, token=token, url=f"{conf.base_url()}/recover/{token}")


def recovery_by_token(token: str) -> Recovery:
    recovery = Recovery.objects.select_related("user", "verification").filter(token_hash=token_hash(token)).first()
    if recovery is None or recovery.status in (Recovery.Status.COMPLETED, Recovery.Status.CANCELLED):
        raise errors.RecoveryNotFound()
    return recovery


def recovery_identity_decided(
    *,
    verification_id: str,
    status: str,
    reason: str,
    facts: VendorFacts,
    document_expires_on: date | None,
    actor: Any,
) -> Recovery | None:
    """The vendor decided the recovery's identity check: it must be approved AND match the verified record."""
    with transaction.atomic():
        recovery = (
            Recovery.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(verification_id=verification_id)
            .first()
        )
        if recovery is None:
            verification_decide(verification_id=verification_id, status=status, actor=actor, reason=reason, facts=facts)
            return None
        identity = _recorded_identity(recovery.user)
        match = (
            identity is not None
            and facts.date_of_birth == identity.date_of_birth
            and normalized_name(facts.legal_name) == normalized_name(identity.legal_name)
        )
        approved = status == Verification.Status.APPROVED and match
        if status == Verification.Status.APPROVED and not match:
            status, reason = Verification.Status.DECLINED, "The identity checked does not match the verified record."
        verification_decide(
            verification_id=verification_id,
            status=status,
            actor=actor,
            reason=reason,
            facts=facts,
            document_expires_on=document_expires_on,
        )
        if recovery.status != Recovery.Status.IDENTITY_CHECK:
            return recovery
        now = timezone.now()
        if approved:
            recovery.status = Recovery.Status.COOLING_OFF
            recovery.cooling_off_until = now + timedelta(hours=conf.recovery_cooling_hours())
        else:
            recovery.status, recovery.failure = Recovery.Status.FAILED, (reason or "identity check refused")[:300]
        recovery.save(update_fields=["status", "cooling_off_until", "failure"])
        audit_record(
            actor=actor,
            action="verification.recovery_identity_confirmed" if approved else "verification.recovery_identity_refused",
            target=recovery.user,
            data={"recovery_id": recovery.pk},
        )
        outbox_publish(
            topic=events.RECOVERY_CHANGED,
            payload={
                "recovery_id": recovery.pk,
                "user_id": recovery.user_id,
                "step": "identity_confirmed" if approved else "identity_refused",
            },
        )
    if approved:
        _notify(
            recovery.user,
            "identity confirmed for account recovery",
            f"The identity check for the recovery of your account passed. A new password can be set after "
            f"{recovery.cooling_off_until:%Y-%m-%d %H:%M} UTC unless you cancel before then.",
        )
    else:
        _notify(
            recovery.user, "account recovery refused", "The identity check for the recovery of your account failed."
        )
    return recovery


def recovery_complete(*, token: str, new_password: str, ip: str = "") -> User:
    with transaction.atomic():
        recovery = recovery_by_token(token)
        recovery = Recovery.objects.select_for_update(of=("self",)).select_related("user").get(pk=recovery.pk)
        now = timezone.now()
        if recovery.status != Recovery.Status.COOLING_OFF or recovery.cooling_off_until is None:
            raise errors.RecoveryNotReady(extra={"status": recovery.status})
        if now < recovery.cooling_off_until:
            raise errors.RecoveryNotReady(
                f"For your safety, a new password can be set from {recovery.cooling_off_until:%Y-%m-%d %H:%M} UTC.",
                extra={"cooling_off_until": recovery.cooling_off_until.isoformat()},
            )
        user = user_reset_credentials(
            user=recovery.user, new_password=new_password, actor=f"recovery:{recovery.pk}", ip=ip, reason="recovery"
        )
        recovery.status, recovery.completed_at = Recovery.Status.COMPLETED, now
        recovery.save(update_fields=["status", "completed_at"])
        outbox_publish(
            topic=events.RECOVERY_CHANGED,
            payload={"recovery_id": recovery.pk, "user_id": user.pk, "step": "completed"},
        )
    _notify(
        user,
        "password changed by account recovery",
        "Your password was reset and two-factor turned off; set up two-factor again when you sign in.",
    )
    return user


def recovery_cancel(*, actor: User, recovery_id: str, ip: str = "") -> Recovery:
    """The account's owner (still signed in) or support stops a recovery."""
    with transaction.atomic():
        recovery = (
            Recovery.objects.select_for_update(of=("self",)).select_related("user").filter(pk=recovery_id).first()
        )
        if recovery is None or (recovery.user_id != actor.pk and not _can_start(actor)):
            raise errors.RecoveryNotFound()
        if recovery.status not in (Recovery.Status.IDENTITY_CHECK, Recovery.Status.COOLING_OFF):
            raise errors.RecoveryNotReady("This recovery is already over.")
        recovery.status = Recovery.Status.CANCELLED
        recovery.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="verification.recovery_cancelled",
            target=recovery.user,
            ip=ip,
            data={"recovery_id": recovery.pk},
        )
    return recovery


def _can_start(actor: User) -> bool:
    from stagedoor.accounts.roles import role_has

    return role_has(actor.role, Perm.RECOVERY_START)
