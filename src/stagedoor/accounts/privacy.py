"""accounts' part of data-subject requests (core.privacy_registry) and of retention (expired sessions).

Erasure pseudonymises the account row, which stays (ledger accounts, the audit log and other records refer to
its id): login and e-mail become the tombstone, the display name is emptied, the password made unusable, two
factors, recovery codes and API tokens removed, sessions ended. It runs last, after every other app matched
what it needed against the real account.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.utils import timezone

from stagedoor.accounts.models import ApiToken, EntryConsent, Passkey, RecoveryCode, User, UserSession
from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    RetentionClass,
    RetentionRun,
    register_eraser,
    register_exporter,
    register_retention,
    rows,
)


def export_accounts(user: Any) -> ExportData:
    return {
        "account": rows(
            [user],
            ["id", "login", "email", "display_name", "role", "date_joined", "last_login", "is_active", "mfa_enabled"],
        ),
        "api_tokens": rows(
            ApiToken.objects.filter(user=user).order_by("created_at"),
            ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"],
        ),
        "consents": rows(
            EntryConsent.objects.filter(user=user).order_by("created_at"),
            ["id", "terms_version", "age_confirmed", "user_agent", "created_at"],
        ),
        "sessions": rows(
            UserSession.objects.filter(user=user).order_by("created_at"),
            ["id", "device", "place", "network", "method", "created_at", "last_seen_at", "ended_at", "end_reason"],
        ),
        "passkeys": rows(
            Passkey.objects.filter(user=user).order_by("created_at"),
            ["id", "name", "transports", "created_at", "last_used_at"],
        ),
    }


def erase_accounts(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    user = User.objects.get(pk=ctx.user.pk)
    now = timezone.now()
    result.changed += RecoveryCode.objects.filter(user=user).delete()[0]
    result.changed += ApiToken.objects.filter(user=user).delete()[0]
    result.changed += Passkey.objects.filter(user=user).delete()[0]
    result.changed += UserSession.objects.filter(user=user).update(
        ended_at=now, end_reason="erased", device="", user_agent="", network="", place=""
    )
    result.changed += EntryConsent.objects.filter(user=user).exclude(user_agent="").update(user_agent="")
    result.keep(
        "age and terms confirmations (date, terms version; no browser details)",
        "proof of age confirmation and accepted terms (legal obligation, GDPR Art. 6(1)(c), 17(3)(b))",
        EntryConsent.objects.filter(user=user).count(),
    )
    if user.login != ctx.tombstone:
        user.login = ctx.tombstone
        user.email = ctx.tombstone_email
        user.display_name = ""
        user.set_unusable_password()
        user.is_active = False
        user.mfa_enabled = False
        user.totp_secret = ""
        user.save()
        result.changed += 1
    result.keep(
        "the account row as a tombstone (id, role, join date)",
        "ledger, audit and statutory records refer to the account id (GDPR Art. 17(3)(b), (e))",
        1,
    )
    return result


def _expired_sessions(run: RetentionRun) -> int:
    expired = Session.objects.filter(expire_date__lt=run.cutoff)
    ended = UserSession.objects.filter(ended_at__lt=run.cutoff).exclude(user_id__in=run.held_user_ids)
    if run.dry_run:
        return expired.count() + ended.count()
    return int(expired.delete()[0]) + int(ended.delete()[0])


register_exporter("accounts", export_accounts)
register_eraser("accounts", erase_accounts)
register_retention(
    RetentionClass(
        name="accounts.sessions",
        period="expired_sessions",
        app_label="accounts",
        description="sessions expired, and ended session records, before the cutoff",
        action="delete",
        run=_expired_sessions,
    )
)
