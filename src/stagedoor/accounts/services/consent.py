"""Entry consent: the age and terms interstitial, recorded per session and adopted at login."""

from __future__ import annotations

from django.conf import settings

from stagedoor.accounts.models import (
    EntryConsent,
    User,
)
from stagedoor.accounts.services.hashing import ip_hash
from stagedoor.core.errors import ValidationFailed


def entry_consent_record(
    *, user: User | None, session_key: str, age_confirmed: bool, terms_accepted: bool, ip: str, user_agent: str
) -> EntryConsent:
    if not age_confirmed or not terms_accepted:
        missing = {}
        if not age_confirmed:
            missing["age_confirmed"] = ["Confirm that you are an adult."]
        if not terms_accepted:
            missing["terms_accepted"] = ["Accept the terms to continue."]
        raise ValidationFailed("Confirm your age and accept the terms to enter.", extra={"fields": missing})
    return EntryConsent.objects.create(
        user=user,
        session_key=session_key[:64],
        terms_version=settings.STAGEDOOR.terms_version,
        age_confirmed=True,
        ip_hash=ip_hash(ip),
        user_agent=(user_agent or "")[:300],
    )


def entry_consent_adopt(*, session_key: str, user: User) -> int:
    """Attach consent given anonymously in this session to the account that just signed in."""
    return EntryConsent.objects.filter(session_key=session_key[:64], user__isnull=True).update(user=user)
