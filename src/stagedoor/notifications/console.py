"""Staff console of notifications: the live alerts section (each broadcast's fan-out and what became of it, with
a button to stop an alert) and a person's notifications panel (preferences, devices, recent notifications, a
button to remove their push devices).

Who sees what: the alerts are about rooms on air, so the section needs `Perm.STREAMS_READ_ANY` (moderators,
support, compliance, admins); stopping an alert (a room that went live against the rules) is a trust & safety
decision: `Perm.MODERATION_REVIEW`. The panel needs `Perm.USERS_READ`; removing someone's devices (a lost phone,
pushes reaching the wrong person) is account help: `Perm.USERS_UNLOCK`. Both actions are audited.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.accounts.selectors import require_perm, user_by_login_or_id
from stagedoor.core.console import console_section, staff_action, user_panel
from stagedoor.core.middleware import client_ip
from stagedoor.notifications import selectors, services

SECTION = "/staff/live-alerts/"


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, strip=True)


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the console's gate let only a signed-in member of staff through


def alerts(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    found = selectors.recent_alerts(limit=50)
    counts = selectors.alert_counts([a.id for a in found])
    rows = [(a, counts.get(a.id, {})) for a in found]
    context = {"rows": rows, "can_stop": role_has(actor.role, Perm.MODERATION_REVIEW)}
    return render(request, "notifications/console/alerts.html", context)


@require_POST
def alert_stop(request: HttpRequest, alert_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.MODERATION_REVIEW)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason of 1–500 characters.")
        return HttpResponseRedirect(SECTION)
    reason = form.cleaned_data["reason"]
    stopped = staff_action(
        request,
        lambda: services.alert_staff_stop(actor=actor, alert_id=alert_id, reason=reason, ip=client_ip(request)),
    )
    if stopped is not None:
        messages.success(
            request, f"Alert stopped: {stopped} notification{'s' if stopped != 1 else ''} will not be sent."
        )
    return HttpResponseRedirect(SECTION)


@require_POST
def devices_remove(request: HttpRequest, user_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.USERS_UNLOCK)
    subject = user_by_login_or_id(user_id)
    back = f"/staff/users/{user_id}/"
    form = ReasonForm(request.POST)
    if subject is None:
        messages.error(request, "No such person.")
        return HttpResponseRedirect(SECTION)
    if not form.is_valid():
        messages.error(request, "Give a reason of 1–500 characters.")
        return HttpResponseRedirect(back)
    reason = form.cleaned_data["reason"]
    removed = staff_action(
        request,
        lambda: services.devices_staff_remove(actor=actor, user=subject, reason=reason, ip=client_ip(request)),
    )
    if removed is not None:
        messages.success(request, f"{removed} push device{'s' if removed != 1 else ''} removed.")
    return HttpResponseRedirect(back)


def notifications_panel(subject: Any, actor: Any) -> dict[str, Any] | None:
    return {
        "subject": subject,
        "pref": selectors.preference_of(subject),
        "devices": list(selectors.devices_of(subject)),
        "recent": selectors.notifications_of(subject, limit=10),
        "can_remove": role_has(actor.role, Perm.USERS_UNLOCK),
    }


def _alerts_blurb(actor: Any) -> str:
    found = selectors.recent_alerts(limit=1)
    return f"last: {found[0].room.slug}" if found else "none yet"


console_section(
    slug="live-alerts",
    title="Live alerts",
    perm=Perm.STREAMS_READ_ANY,
    order=65,
    description="Go-live notifications per broadcast: queued, sent, held for quiet hours, failed; stop an alert.",
    view=alerts,
    template="notifications/console/alerts.html",
    routes=[
        path("<str:alert_id>/stop", alert_stop, name="stop"),
        path("users/<str:user_id>/devices/remove", devices_remove, name="devices-remove"),
    ],
    blurb=_alerts_blurb,
)

user_panel(
    key="notifications",
    title="Notifications",
    perm=Perm.USERS_READ,
    order=60,
    template="notifications/console/_user_notifications.html",
    context=notifications_panel,
)
