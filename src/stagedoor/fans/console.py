"""Staff console of fans: the fan clubs section (clubs and their members, by performer) and the fan club panel of a
person (their memberships, and their own club); ending a membership early (abuse, a chargeback) from either.

Who sees what: memberships are paid subscriptions, so the section and the panel need `Perm.PURCHASES_READ_ANY`
(support answers "I paid for a fan club but…", finance, admins). Ending a membership takes away perks someone paid
for, without a refund: that is a money decision, so it needs `Perm.MONEY_REFUND` (finance and admins) — the
people who decide the refund or the chargeback that usually comes with it. Every end is audited
(`fans.membership_end`, with the reason).
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
from stagedoor.fans import selectors, services

SECTION = "/staff/fan-clubs/"


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the console's gate let only a signed-in member of staff through


class EndForm(forms.Form):
    reason = forms.CharField(max_length=500, strip=True)
    next = forms.CharField(max_length=200, required=False)


def _back(url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(url if url.startswith("/staff/") and "//" not in url else SECTION)


def clubs(request: HttpRequest) -> HttpResponse:
    """Fan clubs, or one performer's club and its members (`?q=` their login or id)."""
    actor = _actor(request)
    query = request.GET.get("q", "").strip()[:254]
    performer = user_by_login_or_id(query) if query else None
    club = selectors.club_of(performer) if performer is not None else None
    context = {
        "query": query,
        "club": club,
        "members": list(selectors.members_for_staff(club)) if club is not None else [],
        "clubs": selectors.clubs_for_staff() if not query else [],
        "can_end": role_has(actor.role, Perm.MONEY_REFUND),
        "here": request.get_full_path(),
    }
    return render(request, "fans/console/clubs.html", context)


@require_POST
def membership_end(request: HttpRequest, membership_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.MONEY_REFUND)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason of 1–500 characters.")
        return _back(str(request.POST.get("next", "")))
    reason = form.cleaned_data["reason"]
    ended = staff_action(
        request, lambda: services.membership_staff_end(actor=actor, membership_id=membership_id, reason=reason)
    )
    if ended is not None:
        messages.success(request, "The membership is ended; its perks stop now. No refund was made.")
    return _back(form.cleaned_data.get("next") or "")


def _clubs_blurb(actor: Any) -> str:
    return f"{selectors.clubs_open_count()} open"


def fans_panel(subject: Any, actor: Any) -> dict[str, Any] | None:
    memberships = list(selectors.memberships_of(subject)[:50])
    club = selectors.club_of(subject)
    if not memberships and club is None:
        return None
    return {
        "subject": subject,
        "memberships": [(m, selectors.membership_in_good_standing(m)) for m in memberships],
        "club": club,
        "members": selectors.members_of(club).count() if club is not None else 0,
        "can_end": role_has(actor.role, Perm.MONEY_REFUND),
    }


console_section(
    slug="fan-clubs",
    title="Fan clubs",
    perm=Perm.PURCHASES_READ_ANY,
    order=55,
    description="Performers' fan clubs and their members; end a membership early (audited, no refund).",
    view=clubs,
    template="fans/console/clubs.html",
    routes=[path("memberships/<str:membership_id>/end", membership_end, name="end")],
    blurb=_clubs_blurb,
)

user_panel(
    key="fans",
    title="Fan clubs",
    perm=Perm.PURCHASES_READ_ANY,
    order=25,
    template="fans/console/_user_fans.html",
    context=fans_panel,
)
