"""Session glue shared by pages and the API: completing a login, the pending second factor."""

from __future__ import annotations

from django.contrib.auth import login as django_login
from django.http import HttpRequest

from stagedoor.accounts.models import User
from stagedoor.accounts.services import entry_consent_adopt, user_login_succeeded
from stagedoor.core.middleware import client_ip

PENDING_MFA_KEY = "pending_mfa_user"
CONSENT_KEY = "entry_consent"
BACKEND = "django.contrib.auth.backends.ModelBackend"


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


def pending_mfa_user(request: HttpRequest) -> User | None:
    pk = request.session.get(PENDING_MFA_KEY)
    if not pk:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()
