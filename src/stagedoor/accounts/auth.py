"""How the API knows who is calling: a personal API token (Bearer) or the session cookie (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from stagedoor.accounts.models import User
from stagedoor.accounts.selectors import require_perm
from stagedoor.accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """A personal API token. With `perm`, the holder must also have that permission."""

    def __init__(self, perm: str | None = None) -> None:
        super().__init__()
        self.perm = perm

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
            if self.perm:
                require_perm(user, self.perm)  # raises 403 before the body is even parsed
        return user


class SessionUserAuth(SessionAuth):
    """The signed-in session user; Ninja checks the CSRF token for cookie auth."""

    def __init__(self, perm: str | None = None) -> None:
        super().__init__()
        self.perm = perm

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if self.perm:
                require_perm(user, self.perm)
            return user
        return None


AUTH = [ApiTokenAuth(), SessionUserAuth()]


def requires(perm: str) -> list[Any]:
    """Auth for an endpoint that needs `perm`: 401 when anonymous, 403 without the permission.

    Checked before the request body is parsed, so a caller without the permission learns
    nothing about the payload's shape.
    """
    return [ApiTokenAuth(perm), SessionUserAuth(perm)]


def optional_user(request: HttpRequest) -> User | None:
    """For endpoints open to anonymous callers: the caller if a token or session identifies one."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return api_token_authenticate(header[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
