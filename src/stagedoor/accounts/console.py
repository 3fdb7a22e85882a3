"""Staff console sections of accounts: people (lookup, unlock, role) and the audit log (performer applications:
verification's console).

The audit log is `core`'s, but its section is registered here: core sits below accounts and cannot
name a permission (`Perm.AUDIT_READ`), just as the audit API lives in `accounts/api.py`.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from stagedoor.accounts import selectors, services
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role, role_has
from stagedoor.core.audit import audit_actions, audit_log, audit_trail, audit_verify_report
from stagedoor.core.console import console_section, registry, staff_action
from stagedoor.core.middleware import client_ip

AUDIT_PAGE = 50


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the console's gate let only a signed-in member of staff through


# --- people --------------------------------------------------------------------------------


def users_index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    results = selectors.user_lookup(query) if query else []
    context = {"query": query, "results": results, "now": timezone.now()}
    return render(request, "accounts/console/users.html", context)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


def _panels(subject: User, actor: User) -> list[dict[str, Any]]:
    """Boxes other apps contribute to the person page (wallet, purchases, room…), those the actor may see."""
    shown = []
    for panel in registry.panels_for(lambda perm: role_has(actor.role, perm)):
        context = panel.context(subject, actor)
        if context is not None:
            shown.append({"panel": panel, "context": context})
    return shown


def user_detail(request: HttpRequest, user_id: str) -> HttpResponse:
    actor = _actor(request)
    subject = selectors.access_user(actor, user_id, perm=Perm.USERS_READ)
    now = timezone.now()
    context = {
        "subject": subject,
        "locked": bool(subject.locked_until and subject.locked_until > now),
        "api_tokens": selectors.api_tokens_of(subject).count(),
        "trail": audit_trail(subject.pk, limit=30),
        "panels": _panels(subject, actor),
        "can_unlock": role_has(actor.role, Perm.USERS_UNLOCK),
        "can_set_role": role_has(actor.role, Perm.USERS_SET_ROLE) and subject.pk != actor.pk,
        "roles": Role.choices,
    }
    return render(request, "accounts/console/user.html", context)


def _back_to(user_id: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"/staff/users/{user_id}/")


@require_POST
def user_unlock(request: HttpRequest, user_id: str) -> HttpResponse:
    actor = selectors.require_perm(_actor(request), Perm.USERS_UNLOCK)
    user = services.user_unlock(actor=actor, user_id=user_id, ip=client_ip(request))
    messages.success(request, f"{user.login} is unlocked: they can sign in again now.")
    return _back_to(user.pk)


@require_POST
def user_role(request: HttpRequest, user_id: str) -> HttpResponse:
    actor = selectors.require_perm(_actor(request), Perm.USERS_SET_ROLE)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return _back_to(user_id)
    role = form.cleaned_data["role"]
    user = staff_action(
        request, lambda: services.user_set_role(actor=actor, user_id=user_id, role=role, ip=client_ip(request))
    )
    if user is not None:
        messages.success(request, f"{user.login} is now {user.get_role_display()}.")
    return _back_to(user_id)


def _users_blurb(actor: Any) -> str:
    locked = selectors.locked_users_count(now=timezone.now())
    return f"{locked} account{'s' if locked != 1 else ''} locked" if locked else "No account locked"


# --- audit log -------------------------------------------------------------------------------


def audit_index(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "").strip()[:100]
    actor = request.GET.get("actor", "").strip()[:200]
    before_raw = request.GET.get("before", "")
    before = int(before_raw) if before_raw.isdigit() else None
    entries = audit_log(action=action, actor=actor, before_seq=before, limit=AUDIT_PAGE)
    older = ""
    if len(entries) == AUDIT_PAGE:
        older = "?" + urlencode(
            {k: v for k, v in {"action": action, "actor": actor}.items() if v} | {"before": entries[-1].seq}
        )
    context = {
        "entries": entries,
        "action": action,
        "actor": actor,
        "actions": audit_actions(),
        "older": older,
        "report": audit_verify_report() if request.GET.get("verify") == "1" else None,
    }
    return render(request, "accounts/console/audit.html", context)


def _audit_blurb(actor: Any) -> str:
    latest = audit_log(limit=1)
    return f"{latest[0].seq} entries" if latest else "Empty"


console_section(
    slug="users",
    title="People",
    perm=Perm.USERS_READ,
    order=10,
    description="Find a person by login, e-mail or id: their account, wallet, purchases, room and audit trail.",
    view=users_index,
    template="accounts/console/users.html",
    routes=[
        path("<str:user_id>/", user_detail, name="detail"),
        path("<str:user_id>/unlock", user_unlock, name="unlock"),
        path("<str:user_id>/role", user_role, name="role"),
    ],
    blurb=_users_blurb,
)

console_section(
    slug="audit",
    title="Audit log",
    perm=Perm.AUDIT_READ,
    order=90,
    description="Every staff and security action, newest first, and a check of the hash chain.",
    view=audit_index,
    template="accounts/console/audit.html",
    blurb=_audit_blurb,
)
