"""Pages of community: the events list and an event, a contest with its live leaderboard, a person's levels and
badges, and the studio card's opt-in buttons (they call services; a refusal is the page's message)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from stagedoor.community import levels, selectors, services
from stagedoor.community.api import badge_out, leaderboard_out
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import refusal_text

STUDIO = "/studio"
POLL_MS = 350  # the contest page's refresh: a tip shows within about this (bench/growth_leaderboard.py)


def events(request: HttpRequest) -> HttpResponse:
    upcoming = list(selectors.events_upcoming())
    counts = selectors.event_entry_counts(e.pk for e in upcoming)
    now = timezone.now()
    return render(
        request,
        "community/events.html",
        {
            "events": [(e, counts.get(e.pk, 0), e.starts_at <= now) for e in upcoming],
            "contests": [(c, selectors.contest_state(c, now=now)) for c in selectors.contests_current(now=now)],
        },
    )


def event(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = selectors.event_by_slug(slug)
    except ApplicationError as exc:
        return render(request, "web/message.html", {"title": "No such event", "message": exc.message}, status=404)
    return render(
        request,
        "community/event.html",
        {
            "event": found,
            "performers": selectors.event_performers(found),
            "contests": selectors.contests_of_event(found),
            "is_open": selectors.event_is_open(found),
            "on_now": found.starts_at <= timezone.now() < found.ends_at and found.cancelled_at is None,
        },
    )


def contest(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = selectors.contest_by_slug(slug)
    except ApplicationError as exc:
        return render(request, "web/message.html", {"title": "No such contest", "message": exc.message}, status=404)
    board = leaderboard_out(found)
    return render(
        request,
        "community/contest.html",
        {
            "contest": found,
            "board": board,
            "poll_ms": POLL_MS,
        },
    )


def profile(request: HttpRequest, login: str) -> HttpResponse:
    try:
        user = selectors.profile_user(login)
    except ApplicationError as exc:
        return render(request, "web/message.html", {"title": "Not found", "message": exc.message}, status=404)
    found = selectors.profile_of(user)
    mine = request.user.is_authenticated and request.user.pk == user.pk
    return render(
        request,
        "community/profile.html",
        {
            "person": user,
            "profile": found,
            "badges": [badge_out(b) for b in found.badges],
            "mine": mine,
            "viewer_levels": len(levels.VIEWER_LEVELS),
        },
    )


def _studio_act(request: HttpRequest, act: str, *, joined: str, left: str) -> HttpResponse:
    try:
        if act == "join":
            services.event_join(performer=request.user, event_id=request.POST.get("id", ""))
            messages.success(request, joined)
        elif act == "leave":
            services.event_leave(performer=request.user, event_id=request.POST.get("id", ""))
            messages.success(request, left)
        elif act == "enter":
            services.contest_enter(performer=request.user, contest_id=request.POST.get("id", ""))
            messages.success(request, joined)
        else:
            services.contest_leave(performer=request.user, contest_id=request.POST.get("id", ""))
            messages.success(request, left)
    except ApplicationError as exc:
        messages.error(request, refusal_text(exc))
    return HttpResponseRedirect(STUDIO)


@login_required
@require_POST
def studio_event(request: HttpRequest) -> HttpResponse:
    act = "leave" if request.POST.get("action") == "leave" else "join"
    return _studio_act(
        request,
        act,
        joined="You are in. Your room shows under the event in the directory.",
        left="You left the event.",
    )


@login_required
@require_POST
def studio_contest(request: HttpRequest) -> HttpResponse:
    act = "withdraw" if request.POST.get("action") == "leave" else "enter"
    return _studio_act(request, act, joined="You entered the contest. Good luck!", left="You left the contest.")
