"""Helpers for the staff console's tests: a browser-like client for a person, past the entry interstitial."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role, role_has
from stagedoor.accounts.sessions import CONSENT_KEY
from stagedoor.core.console import registry

SUBJECTS = ["anonymous", *[r.value for r in Role]]
PLACEHOLDER_ID = "01AAAAAAAAAAAAAAAAAAAAAAAA"


def client_for(user: User | None, *, csrf: bool = False) -> Client:
    """Signed in as `user` (None: anonymous), with the entry consent given, CSRF checked when `csrf`."""
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[CONSENT_KEY] = settings.STAGEDOOR.terms_version
    session.save()
    return client


def staff(make_user: Any, role: str, **extra: Any) -> tuple[User, Client]:
    user: User = make_user(role, **extra)
    return user, client_for(user)


def has_section(role: str, slug: str) -> bool:
    section = registry.get(slug)
    assert section is not None, f"no console section {slug!r}"
    return role_has(role, section.perm)
