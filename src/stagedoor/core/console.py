"""The staff console's registry: the sections and the person-page panels that apps contribute.

An app adds a section to `/staff/` with ONE call in its `console.py` (imported from its
`AppConfig.ready()`), the way an endpoint gets one row in the permission grid:

    console_section(
        slug="packages",                      # mounted at /staff/packages/
        title="Token packages",
        perm=Perm.PACKAGES_MANAGE,            # who may open it (accounts/roles.py)
        order=40,                             # place in the side nav and on the home page
        view=packages,                        # GET/POST /staff/packages/
        template="wallet/console/packages.html",
        routes=[path("<str:package_id>/", package_edit, name="edit")],  # /staff/packages/<id>/
        blurb=lambda actor: f"{packages_on_sale().count()} on sale",     # shown on the console's home
    )

and a panel to the person page (`/staff/users/<id>/`) with one `user_panel(...)` call.

The shell (`stagedoor.web.console`) mounts every section at `/staff/<slug>/` and checks the
section's permission (signed in, the role holds `perm`, two-factor on) before any of its views
runs; a view checks any further permission its action needs (e.g. unlocking an account) itself.
Core holds no policy: a section names its permission, and who holds it is decided in accounts,
so the filters here take a predicate `can(perm) -> bool`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern

from stagedoor.core.errors import ApplicationError

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,30}$")

View = Callable[..., HttpResponse]
Can = Callable[[str], bool]


@dataclass(frozen=True)
class ConsoleSection:
    """One area of the staff console, mounted at `/staff/<slug>/`."""

    slug: str
    title: str
    perm: str
    view: View  # the section's page: /staff/<slug>/
    template: str  # the page's template (the registry test renders every section through it)
    order: int = 100
    description: str = ""  # one line on the console's home page
    routes: tuple[URLPattern, ...] = ()  # further pages and actions, relative to /staff/<slug>/
    blurb: Callable[[Any], str] | None = None  # a short live figure for the home page ("3 pending")

    @property
    def url(self) -> str:
        return f"/staff/{self.slug}/"


@dataclass(frozen=True)
class UserPanel:
    """A box on the console's person page (`/staff/users/<id>/`), contributed by another app.

    `context(subject, actor)` returns what `template` needs (rendered as `panel`), or None to
    leave the box out for this person (e.g. no room for a viewer).
    """

    key: str
    title: str
    perm: str
    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]
    order: int = 100


@dataclass
class ConsoleRegistry:
    _sections: dict[str, ConsoleSection] = field(default_factory=dict)
    _panels: dict[str, UserPanel] = field(default_factory=dict)

    def section(
        self,
        *,
        slug: str,
        title: str,
        perm: str,
        view: View,
        template: str,
        order: int = 100,
        description: str = "",
        routes: Iterable[URLPattern] = (),
        blurb: Callable[[Any], str] | None = None,
    ) -> ConsoleSection:
        if not SLUG_RE.fullmatch(slug):
            raise ImproperlyConfigured(f"console section slug {slug!r}: use 2–31 lower-case letters, digits or -")
        if not perm:
            raise ImproperlyConfigured(f"console section {slug!r} needs a permission")
        section = ConsoleSection(
            slug=slug,
            title=title,
            perm=perm,
            view=view,
            template=template,
            order=order,
            description=description,
            routes=tuple(routes),
            blurb=blurb,
        )
        existing = self._sections.get(slug)
        if existing is not None and _origin(existing.view) != _origin(view):
            raise ImproperlyConfigured(f"console section {slug!r} is registered twice ({_origin(existing.view)})")
        self._sections[slug] = section
        return section

    def panel(
        self,
        *,
        key: str,
        title: str,
        perm: str,
        template: str,
        context: Callable[[Any, Any], dict[str, Any] | None],
        order: int = 100,
    ) -> UserPanel:
        if not perm:
            raise ImproperlyConfigured(f"user panel {key!r} needs a permission")
        existing = self._panels.get(key)
        if existing is not None and _origin(existing.context) != _origin(context):
            raise ImproperlyConfigured(f"user panel {key!r} is registered twice ({_origin(existing.context)})")
        panel = UserPanel(key=key, title=title, perm=perm, template=template, context=context, order=order)
        self._panels[key] = panel
        return panel

    def sections(self) -> list[ConsoleSection]:
        return sorted(self._sections.values(), key=lambda s: (s.order, s.slug))

    def get(self, slug: str) -> ConsoleSection | None:
        return self._sections.get(slug)

    def sections_for(self, can: Can) -> list[ConsoleSection]:
        """The sections whose permission `can` grants, in nav order."""
        return [s for s in self.sections() if can(s.perm)]

    def panels(self) -> list[UserPanel]:
        return sorted(self._panels.values(), key=lambda p: (p.order, p.key))

    def panels_for(self, can: Can) -> list[UserPanel]:
        return [p for p in self.panels() if can(p.perm)]


def _origin(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


registry = ConsoleRegistry()


# Registration, as each app's console.py calls it (keyword arguments as in `ConsoleRegistry.section/panel`).
console_section = registry.section
user_panel = registry.panel


def sections_for(can: Can) -> list[ConsoleSection]:
    return registry.sections_for(can)


def panels_for(can: Can) -> list[UserPanel]:
    return registry.panels_for(can)


def staff_action[T](request: HttpRequest, action: Callable[[], T]) -> T | None:
    """Run a console button's service call. A refusal becomes the page's error message and None; an unknown
    id (404) goes on to the console shell, which renders its not-found page."""
    try:
        return action()
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
        return None
