"""The staff console's shell: the registry, every section × every role, the gate, CSRF, the Django admin.

What each section's actions do is tested next to the app that owns the section
(`accounts/tests/test_console.py`, `wallet/…`, `payments/…`, `streaming/…`).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.urls import URLPattern, path, resolve, reverse

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role, role_has
from stagedoor.core.console import ConsoleRegistry, registry
from stagedoor.core.models import AuditEntry
from stagedoor.web.console import section_urlpatterns, sections_of
from stagedoor.web.context import console_nav
from stagedoor.web.tests.console_helpers import PLACEHOLDER_ID, SUBJECTS, client_for

PERMS = {value for name, value in vars(Perm).items() if name.isupper()}


def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def _other_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("other")


# --- the registry ------------------------------------------------------------------------------


def test_registry_orders_filters_and_refuses_duplicates() -> None:
    reg = ConsoleRegistry()
    reg.section(slug="zeta", title="Z", perm="p.one", view=_view, template="t.html", order=20)
    reg.section(slug="alpha", title="A", perm="p.two", view=_view, template="t.html", order=20)
    reg.section(slug="first", title="F", perm="p.one", view=_view, template="t.html", order=5)
    assert [s.slug for s in reg.sections()] == ["first", "alpha", "zeta"]
    assert [s.slug for s in reg.sections_for(lambda perm: perm == "p.one")] == ["first", "zeta"]
    assert reg.sections_for(lambda perm: False) == []
    assert reg.get("alpha") is not None and reg.get("alpha").url == "/staff/alpha/"  # type: ignore[union-attr]
    # the same registration again (an app's ready() run twice) is harmless; another view under the slug is not
    reg.section(slug="zeta", title="Z", perm="p.one", view=_view, template="t.html", order=20)
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        reg.section(slug="zeta", title="Z2", perm="p.one", view=_other_view, template="t.html")
    with pytest.raises(ImproperlyConfigured, match="slug"):
        reg.section(slug="Bad Slug", title="B", perm="p.one", view=_view, template="t.html")
    with pytest.raises(ImproperlyConfigured, match="permission"):
        reg.section(slug="noperm", title="N", perm="", view=_view, template="t.html")


def test_registry_panels_are_filtered_by_permission() -> None:
    reg = ConsoleRegistry()
    reg.panel(key="b", title="B", perm="p.b", template="b.html", context=lambda s, a: {}, order=2)
    reg.panel(key="a", title="A", perm="p.a", template="a.html", context=lambda s, a: None, order=1)
    assert [p.key for p in reg.panels()] == ["a", "b"]
    assert [p.key for p in reg.panels_for(lambda perm: perm == "p.b")] == ["b"]


@pytest.mark.django_db
def test_a_section_is_one_registration_and_its_routes_are_gated() -> None:
    reg = ConsoleRegistry()
    section = reg.section(
        slug="example",
        title="Example",
        perm=Perm.AUDIT_READ,
        view=_view,
        template="web/console/home.html",
        routes=[path("<str:thing>/act", _other_view, name="act")],
    )
    patterns = section_urlpatterns(section)
    assert [p.name for p in patterns] == ["index", "act"]
    assert all(isinstance(p, URLPattern) for p in patterns)
    factory = RequestFactory()
    request = factory.get("/staff/example/x/act")
    request.user = User(role=Role.VIEWER)  # no AUDIT_READ: the gate refuses before the view runs
    request.session = {}  # type: ignore[assignment]
    assert patterns[1].callback(request, thing="x").status_code == 403


def test_the_sections_the_issue_asked_for_are_registered() -> None:
    """(A new section needs no change here: the grid tests below walk whatever is registered.)"""
    slugs = {s.slug for s in registry.sections()}
    assert {"users", "applications", "streams", "packages", "refunds", "promotions", "postbacks", "audit"} <= slugs
    assert {"wallet", "purchases", "room"} <= {p.key for p in registry.panels()}
    assert len(slugs) == len(registry.sections())


@pytest.mark.parametrize("slug", [s.slug for s in registry.sections()])
def test_every_section_has_a_route_a_template_and_a_real_permission(slug: str) -> None:
    section = registry.get(slug)
    assert section is not None
    assert reverse(f"console:{slug}:index") == f"/staff/{slug}/"
    assert resolve(f"/staff/{slug}/").namespace == f"console:{slug}"
    get_template(section.template)  # raises if missing
    assert section.perm in PERMS, f"{slug}: {section.perm!r} is not a Perm"
    assert any(role_has(role, section.perm) for role in Role), f"{slug}: no role holds {section.perm}"
    assert section.title and section.description


@pytest.mark.parametrize("key", [p.key for p in registry.panels()])
def test_every_panel_has_a_template_and_a_real_permission(key: str) -> None:
    panel = next(p for p in registry.panels() if p.key == key)
    get_template(panel.template)
    assert panel.perm in PERMS


# --- every section × every role ------------------------------------------------------------------


def _route_urls() -> list[tuple[str, str, str]]:
    """(section slug, url name, url) of every route of every section, with placeholder ids."""
    urls = []
    for section in registry.sections():
        for pattern in section_urlpatterns(section):
            route = re.sub(r"<(?:\w+:)?\w+>", PLACEHOLDER_ID, str(pattern.pattern))
            urls.append((section.slug, str(pattern.name), f"/staff/{section.slug}/{route}"))
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("subject", SUBJECTS)
def test_role_grid(subject: str, make_user: Any) -> None:
    """Each role opens exactly the sections its permissions allow; the home page lists exactly those."""
    user = None if subject == "anonymous" else make_user(subject, mfa=True)
    client = client_for(user)
    wrong: list[str] = []
    for section in registry.sections():
        response = client.get(section.url)
        allowed = user is not None and role_has(subject, section.perm)
        if user is None:
            ok = response.status_code == 302 and response["Location"] == f"/login?next=/staff/{section.slug}/"
        elif allowed:
            ok = response.status_code == 200 and section.template in {t.name for t in response.templates}
        else:
            ok = response.status_code == 403 and b"Not for your role" in response.content
        if not ok:
            wrong.append(f"{section.slug}: {response.status_code}")
    assert wrong == [], f"{subject}: {wrong}"

    home = client.get("/staff/")
    expected = [s for s in registry.sections() if user is not None and role_has(subject, s.perm)]
    if user is None:
        assert home.status_code == 302 and home["Location"] == "/login?next=/staff/"
    elif not expected:
        assert home.status_code == 403
        assert b"Go to the home page" in home.content
    else:
        assert home.status_code == 200
        html = home.content.decode()
        shown = re.findall(r'data-testid="console-card-([a-z-]+)"', html)
        assert shown == [s.slug for s in expected]
        assert re.findall(r'data-testid="console-nav-([a-z-]+)"', html) == shown


@pytest.mark.django_db
@pytest.mark.parametrize("subject", SUBJECTS)
def test_every_route_is_refused_without_the_section_permission(subject: str, make_user: Any) -> None:
    """Sub-pages and actions sit behind the same gate: a GET or POST without the permission changes nothing."""
    user = None if subject == "anonymous" else make_user(subject, mfa=True)
    client = client_for(user)
    audit_before = AuditEntry.objects.count()
    wrong = []
    for slug, name, url in _route_urls():
        section = registry.get(slug)
        assert section is not None
        if user is not None and role_has(subject, section.perm):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            expected = 302 if user is None else 403
            if response.status_code != expected:
                wrong.append(f"{method.upper()} {url} ({name}): {response.status_code}")
    assert wrong == []
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
def test_staff_without_two_factor_are_sent_to_set_it_up(make_user: Any) -> None:
    user = make_user("support_l1", mfa=False)
    client = client_for(user)
    for url in ("/staff/", "/staff/users/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == "/account/2fa/setup"
    response = client.post(f"/staff/users/{user.pk}/unlock")
    assert response.status_code == 302 and response["Location"] == "/account/2fa/setup"


@pytest.mark.django_db
def test_an_unknown_id_is_a_404_page_inside_the_console(make_user: Any) -> None:
    client = client_for(make_user("admin"))
    response = client.get(f"/staff/users/{PLACEHOLDER_ID}/")
    assert response.status_code == 404
    assert b"Back to the staff console" in response.content


# --- CSRF -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_post_needs_the_csrf_token(make_user: Any) -> None:
    """An admin holds every console permission; without the token no action runs, with it they do."""
    admin = make_user("admin")
    viewer = make_user("viewer")
    client = client_for(admin, csrf=True)
    audit_before = AuditEntry.objects.count()
    posts = [url for _, name, url in _route_urls() if name != "index"] + [
        f"/staff/{slug}/" for slug in ("packages", "promotions")
    ]
    assert len(posts) >= 7
    for url in posts:
        response = client.post(url.replace(PLACEHOLDER_ID, viewer.pk), {"reason": "x", "role": "moderator"})
        assert response.status_code == 403, url  # an admin holds every permission: only the CSRF check refuses
    assert AuditEntry.objects.count() == audit_before
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER

    # and the same form with its token goes through
    page = client.get(f"/staff/users/{viewer.pk}/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert token is not None
    response = client.post(
        f"/staff/users/{viewer.pk}/role", {"role": "moderator", "csrfmiddlewaretoken": token.group(1).decode()}
    )
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.role == Role.MODERATOR


# --- the header's context variable, and the Django admin ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("subject", SUBJECTS)
def test_console_nav_lists_the_sections_for_the_header(subject: str, make_user: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser() if subject == "anonymous" else make_user(subject)
    context = console_nav(request)
    expected = [] if subject == "anonymous" else [s for s in registry.sections() if role_has(subject, s.perm)]
    assert context["console_sections"] == expected
    assert sections_of(request.user) == expected
    assert context["console_current"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("subject", SUBJECTS)
def test_django_admin_is_for_administrators_only(subject: str, make_user: Any) -> None:
    user = None if subject == "anonymous" else make_user(subject, mfa=True)
    client: Client = client_for(user)
    response = client.get("/admin/")
    if subject == Role.ADMIN:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
        assert client.get("/admin/accounts/user/").status_code == 302
