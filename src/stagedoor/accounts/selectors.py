"""Reads for accounts, and access helpers that fetch and authorize in one call."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from stagedoor.accounts import errors
from stagedoor.accounts.models import ApiToken, EntryConsent, Passkey, User, UserSession
from stagedoor.accounts.roles import role_has
from stagedoor.core.errors import NotAuthenticated, NotFound, PermissionDenied
from stagedoor.core.hashing import email_hash


def user_by_email(email: str, *, active_only: bool = False) -> User | None:
    """The account with this e-mail address (any case, surrounding spaces ignored), found by its keyed hash: the
    address itself is encrypted at rest. Every lookup of an account by e-mail goes through here."""
    digest = email_hash(email)
    if not digest:
        return None
    qs = User.objects.filter(email_hash=digest)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.first()


def email_taken(email: str) -> bool:
    digest = email_hash(email)
    return bool(digest) and User.objects.filter(email_hash=digest).exists()


def require_perm(actor: User | None, perm: str) -> User:
    """The actor, if signed in, holding `perm`, and with two-factor on where the role needs it."""
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()
    if not role_has(actor.role, perm):
        raise PermissionDenied(extra={"permission": perm})
    if actor.mfa_required and not actor.mfa_enabled:
        raise errors.MfaRequired()
    return actor


def user_list(*, query: str = "", role: str = "", limit: int = 50, offset: int = 0) -> QuerySet[User]:
    qs = User.objects.all().order_by("-date_joined")
    if query:  # e-mail addresses are encrypted: matched whole (by their keyed hash), not by a part
        qs = qs.filter(Q(login__icontains=query.lower()) | Q(email_hash=email_hash(query) or "-"))
    if role:
        qs = qs.filter(role=role)
    return qs[offset : offset + limit]


def access_user(actor: User | None, user_id: str, *, perm: str) -> User:
    require_perm(actor, perm)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def has_current_consent(*, user: User | None, session_key: str | None, terms_version: str) -> bool:
    qs = EntryConsent.objects.filter(terms_version=terms_version)
    if user is not None and user.is_authenticated and qs.filter(user=user).exists():
        return True
    return bool(session_key) and qs.filter(session_key=session_key).exists()


# --- staff console ---------------------------------------------------------------------------


def user_lookup(query: str, *, limit: int = 50) -> list[User]:
    """Staff search: an exact id, login or whole e-mail address (any case) first, then logins and display names
    containing the text. E-mail addresses are encrypted at rest, so a part of one finds nothing."""
    text = (query or "").strip()[:254]
    if not text:
        return []
    exact = list(
        User.objects.filter(Q(pk=text) | Q(login=text.lower()) | Q(email_hash=email_hash(text))).order_by("login")
    )
    contains = Q(login__icontains=text.lower()) | Q(display_name__icontains=text)
    more = User.objects.filter(contains).exclude(pk__in=[u.pk for u in exact]).order_by("login")
    return exact + list(more[: max(0, limit - len(exact))])


def locked_users_count(*, now: datetime) -> int:
    return User.objects.filter(locked_until__gt=now).count()


def user_by_login_or_id(text: str) -> User | None:
    """One person named by their login or id (staff forms)."""
    text = (text or "").strip()
    if not text:
        return None
    return User.objects.filter(Q(pk=text) | Q(login=text.lower())).first()


def user_sessions_of(user: User) -> QuerySet[UserSession]:
    """The user's open sessions, most recently used first."""
    return UserSession.objects.filter(user=user, ended_at__isnull=True).order_by("-last_seen_at", "-created_at")


def user_session_open(*, session_id: str, user_id: str) -> UserSession | None:
    """The session record if it belongs to `user_id` and has not ended."""
    return UserSession.objects.filter(pk=session_id, user_id=user_id, ended_at__isnull=True).first()


def passkeys_of(user: User) -> QuerySet[Passkey]:
    return Passkey.objects.filter(user=user).order_by("created_at")


def user_has_passkey(user: User) -> bool:
    return Passkey.objects.filter(user=user).exists()
