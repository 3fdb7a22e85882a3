"""The staff console's shell: `/staff/`, its home page, and the gate in front of every section.

Sections are registered by the apps that own them (`stagedoor.core.console`); this module mounts
each at `/staff/<slug>/` and, before any of a section's views runs, checks that the visitor is
signed in (else the login page, coming back here), holds the section's permission (else a 403
page in the site's design) and has two-factor on where the role needs it (the MFA middleware
sends them to set it up first). The header's "Staff" link reads `console_sections` from the
`console_nav` context processor (`stagedoor.web.context`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, include, path

from stagedoor.accounts.errors import MfaRequired
from stagedoor.accounts.roles import role_has
from stagedoor.core.console import Can, ConsoleSection, View, registry
from stagedoor.core.errors import ApplicationError, NotAuthenticated, PermissionDenied

LOGIN_URL = "/login"
MFA_SETUP_URL = "/account/2fa/setup"
CURRENT_ATTR = "console_section"


def can_for(user: Any) -> Can:
    """`can(perm)` for this visitor: signed in and their role holds `perm`."""
    role = getattr(user, "role", "") if getattr(user, "is_authenticated", False) else ""
    return lambda perm: bool(role) and role_has(role, perm)


def sections_of(user: Any) -> list[ConsoleSection]:
    """The console sections `user` may open, in nav order (empty for everyone but staff)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return registry.sections_for(can_for(user))


def _refused(request: HttpRequest, *, status: int, title: str, message: str) -> HttpResponse:
    context = {"title": title, "message": message, "status": status}
    return render(request, "web/console/refused.html", context, status=status)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return _refused(
        request,
        status=403,
        title="Not for your role",
        message="Your role does not give you access to this part of the staff console.",
    )


def _gate(perm: str | None, view: View, section: ConsoleSection | None = None) -> View:
    """`view` behind the console's checks. `perm` None: any console section will do (the home page)."""

    @wraps(view)
    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), LOGIN_URL)
        allowed = sections_of(user) if perm is None else role_has(getattr(user, "role", ""), perm)
        if not allowed:
            return _forbidden(request)
        if getattr(user, "mfa_required", False) and not getattr(user, "mfa_enabled", False):
            return HttpResponseRedirect(MFA_SETUP_URL)  # the middleware does this first; kept as a second lock
        setattr(request, CURRENT_ATTR, section)
        try:
            return view(request, *args, **kwargs)
        except NotAuthenticated:
            return redirect_to_login(request.get_full_path(), LOGIN_URL)
        except MfaRequired:
            return HttpResponseRedirect(MFA_SETUP_URL)
        except PermissionDenied:
            return _forbidden(request)
        except ApplicationError as exc:  # a view's unhandled refusal (e.g. an unknown id): a page, not a 500
            title = "Not found" if exc.status == 404 else "Not possible"
            return _refused(request, status=exc.status, title=title, message=exc.message)

    return gated


def home(request: HttpRequest) -> HttpResponse:
    """What this role may open, with a live figure from each section (pending applications, streams on air…)."""
    sections = sections_of(request.user)
    cards = [{"section": s, "blurb": s.blurb(request.user) if s.blurb else ""} for s in sections]
    slugs = {s.slug for s in sections}
    return render(request, "web/console/home.html", {"cards": cards, "can_search_people": "users" in slugs})


def _gated_pattern(section: ConsoleSection, pattern: URLPattern) -> URLPattern:
    callback: Callable[..., HttpResponse] = pattern.callback
    return URLPattern(pattern.pattern, _gate(section.perm, callback, section), pattern.default_args, pattern.name)


def section_urlpatterns(section: ConsoleSection) -> list[URLPattern]:
    index = path("", _gate(section.perm, section.view, section), name="index")
    return [index, *(_gated_pattern(section, p) for p in section.routes)]


def urlpatterns() -> list[URLPattern | URLResolver]:
    """`/staff/` and every registered section (URL names `console:home`, `console:<slug>:<name>`)."""
    patterns: list[URLPattern | URLResolver] = [path("", _gate(None, home), name="home")]
    for section in registry.sections():
        patterns.append(path(f"{section.slug}/", include((section_urlpatterns(section), section.slug))))
    return patterns
