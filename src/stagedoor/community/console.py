"""Staff console of community: events and contests (`/staff/community/`) — create, see the entrants, cancel.

Who: `Perm.COMMUNITY_MANAGE` (administrators). Every create and cancel is audited by its service
(`community.event_create`, `community.event_cancel`, `community.contest_create`, `community.contest_cancel`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.community import selectors, services
from stagedoor.community.models import Contest, Event
from stagedoor.core.console import console_section, staff_action
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import refusal_text
from stagedoor.core.middleware import client_ip

SECTION = "/staff/community/"
TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the console's gate let only a signed-in member of staff through


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class ScheduleForm(forms.Form):
    slug = forms.SlugField(max_length=40)
    title = forms.CharField(max_length=120)
    starts_at = forms.DateTimeField(input_formats=TIME_FORMATS, label="Starts (UTC)")
    ends_at = forms.DateTimeField(input_formats=TIME_FORMATS, label="Ends (UTC)")


class EventForm(ScheduleForm):
    kind = forms.ChoiceField(choices=Event.Kind.choices)
    description = forms.CharField(max_length=2000, required=False, widget=forms.Textarea)


class ContestForm(ScheduleForm):
    metric = forms.ChoiceField(choices=Contest.Metric.choices)
    event = forms.ChoiceField(required=False, label="Part of the event")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        open_events = [e for e in selectors.events_upcoming() if selectors.event_is_open(e)]
        cast(forms.ChoiceField, self.fields["event"]).choices = [
            ("", "— none —"),
            *((e.pk, e.title) for e in open_events),
        ]


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, strip=True)


def community(request: HttpRequest) -> HttpResponse:
    events = selectors.events_for_staff()
    counts = selectors.event_entry_counts(e.pk for e in events)
    now = timezone.now()
    return render(
        request,
        "community/console/community.html",
        {
            "events": [(e, counts.get(e.pk, 0)) for e in events],
            "contests": [(c, selectors.contest_state(c, now=now)) for c in selectors.contests_for_staff()],
            "event_form": EventForm(prefix="event"),
            "contest_form": ContestForm(prefix="contest"),
        },
    )


def _form_error(request: HttpRequest, form: forms.Form) -> HttpResponse:
    problems = "; ".join(f"{name}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items())
    messages.error(request, f"Not saved — {problems}")
    return HttpResponseRedirect(SECTION)


@require_POST
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST, prefix="event")
    if not form.is_valid():
        return _form_error(request, form)
    data = form.cleaned_data
    try:
        event = services.event_create(
            actor=_actor(request),
            slug=data["slug"],
            title=data["title"],
            description=data["description"],
            kind=data["kind"],
            starts_at=_utc(data["starts_at"]),
            ends_at=_utc(data["ends_at"]),
            ip=client_ip(request),
        )
    except ApplicationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"Event “{event.title}” is announced at /events/{event.slug}.")
    return HttpResponseRedirect(SECTION)


@require_POST
def contest_create(request: HttpRequest) -> HttpResponse:
    form = ContestForm(request.POST, prefix="contest")
    if not form.is_valid():
        return _form_error(request, form)
    data = form.cleaned_data
    try:
        contest = services.contest_create(
            actor=_actor(request),
            slug=data["slug"],
            title=data["title"],
            metric=data["metric"],
            starts_at=_utc(data["starts_at"]),
            ends_at=_utc(data["ends_at"]),
            event_id=data["event"] or None,
            ip=client_ip(request),
        )
    except ApplicationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"Contest “{contest.title}” is open at /contests/{contest.slug}.")
    return HttpResponseRedirect(SECTION)


def _cancel(request: HttpRequest, cancel: Callable[[Any, str], Any], done_text: str) -> HttpResponse:
    """A cancel button's POST: a reason of 1–300 characters, then `cancel(actor, reason)` as an audited staff action."""
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason of 1–300 characters.")
        return HttpResponseRedirect(SECTION)
    actor, reason = _actor(request), form.cleaned_data["reason"]
    if staff_action(request, lambda: cancel(actor, reason)) is not None:
        messages.success(request, done_text)
    return HttpResponseRedirect(SECTION)


@require_POST
def event_cancel(request: HttpRequest, event_id: str) -> HttpResponse:
    return _cancel(
        request,
        lambda actor, reason: services.event_cancel(
            actor=actor, event_id=event_id, reason=reason, ip=client_ip(request)
        ),
        "The event is cancelled.",
    )


@require_POST
def contest_cancel(request: HttpRequest, contest_id: str) -> HttpResponse:
    return _cancel(
        request,
        lambda actor, reason: services.contest_cancel(
            actor=actor, contest_id=contest_id, reason=reason, ip=client_ip(request)
        ),
        "The contest is cancelled.",
    )


def _blurb(actor: Any) -> str:
    return f"{len(list(selectors.events_upcoming()))} upcoming events"


console_section(
    slug="community",
    title="Events and contests",
    perm=Perm.COMMUNITY_MANAGE,
    order=70,
    description="Announce events and themed nights, run contests; cancel them (audited).",
    view=community,
    template="community/console/community.html",
    routes=[
        path("events/new", event_create, name="event-create"),
        path("events/<str:event_id>/cancel", event_cancel, name="event-cancel"),
        path("contests/new", contest_create, name="contest-create"),
        path("contests/<str:contest_id>/cancel", contest_cancel, name="contest-cancel"),
    ],
    blurb=_blurb,
)
