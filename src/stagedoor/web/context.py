"""What every page's template gets: the site's name and the header's navigation state."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest

from stagedoor.accounts.roles import Perm, Role, role_has
from stagedoor.wallet.selectors import wallet_balance
from stagedoor.web.console import CURRENT_ATTR, sections_of

# Pages whose "Log in" link does not send the visitor back to them afterwards.
NO_RETURN_PREFIXES = ("/login", "/signup", "/logout", "/enter", "/password/")


def login_url(request: HttpRequest, page: str = "/login") -> str:
    """The "Log in" (or "Sign up") link of a page: it brings the visitor back to the page they were on."""
    path = request.get_full_path()
    if path == "/" or request.path.startswith(NO_RETURN_PREFIXES):
        return page
    return f"{page}?" + urlencode({"next": path})


def _balance_of(user: object) -> Callable[[], int]:
    """The wallet balance, read only if the page shows it (templates call a callable when used)."""

    @cache
    def balance() -> int:
        return wallet_balance(user)

    return balance


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    role = str(getattr(user, "role", "")) if signed_in else ""
    can_buy = signed_in and role_has(role, Perm.TOKENS_BUY)
    return {
        "login_url": login_url(request),
        "signup_url": login_url(request, "/signup"),
        "can_buy": can_buy,
        "balance": _balance_of(user) if can_buy else None,
        "is_performer": role == Role.PERFORMER,
        "earnings": role_has(role, Perm.EARNINGS_READ) and role == Role.PERFORMER,
    }


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "site_name": "Stagedoor",
        "terms_version": settings.STAGEDOOR.terms_version,
        "nav": navigation(request),
    }


def console_nav(request: HttpRequest) -> dict[str, object]:
    """`console_sections`: the staff console sections this visitor may open (empty for everyone but staff;
    the header shows a "Staff" link to /staff/ when it is not); `console_current`: the section shown."""
    user = getattr(request, "user", None)
    return {"console_sections": sections_of(user), "console_current": getattr(request, CURRENT_ATTR, None)}
