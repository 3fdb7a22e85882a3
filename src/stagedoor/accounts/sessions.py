"""Session glue shared by pages and the API: completing a login, the pending second factor, the session record."""

from __future__ import annotations

from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.http import HttpRequest

from stagedoor.accounts.models import User
from stagedoor.accounts.services import (
    entry_consent_adopt,
    user_login_succeeded,
    user_session_end,
    user_session_start,
)
from stagedoor.core.geo import location_for_request
from stagedoor.core.middleware import client_ip

PENDING_MFA_KEY = "pending_mfa_user"
CONSENT_KEY = "entry_consent"
SESSION_RECORD_KEY = "session_record"  # the UserSession id of this browser session
BACKEND = "django.contrib.auth.backends.ModelBackend"


def record_session(request: HttpRequest, user: User, *, method: str) -> str:
    """Create the session record the user sees on their security page and remember its id in the session."""
    record = user_session_start(
        user=user,
        user_agent=request.headers.get("User-Agent", ""),
        ip=client_ip(request),
        place=location_for_request(request).country,
        method=method,
    )
    request.session[SESSION_RECORD_KEY] = record.pk
    return str(record.pk)


def current_session_id(request: HttpRequest) -> str:
    """This request's session record id ("" for API-token requests and sessions without one)."""
    session = getattr(request, "session", None)
    return str(session.get(SESSION_RECORD_KEY) or "") if session is not None else ""


def session_login(request: HttpRequest, user: User, *, method: str) -> None:
    consent = request.session.get(CONSENT_KEY)
    if consent and request.session.session_key:
        # The consent given before signing in now belongs to the account (the key rotates below).
        entry_consent_adopt(session_key=request.session.session_key, user=user)
    django_login(request, user, backend=BACKEND)  # rotates the session key
    request.session.pop(PENDING_MFA_KEY, None)
    if consent:
        request.session[CONSENT_KEY] = consent
    user_login_succeeded(user=user, ip=client_ip(request), method=method)
    record_session(request, user, method=method)


def pending_mfa_user(request: HttpRequest) -> User | None:
    pk = request.session.get(PENDING_MFA_KEY)
    if not pk:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def session_logout(request: HttpRequest, *, reason: str = "signed_out") -> None:
    """Sign this browser out: end its session record, flush the session, keep the entry consent."""
    consent = request.session.get(CONSENT_KEY)
    record_id = current_session_id(request)
    if record_id:
        user_session_end(session_id=record_id, reason=reason)
    django_logout(request)
    if consent:
        request.session[CONSENT_KEY] = consent
