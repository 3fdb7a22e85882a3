"""Staff console: administrators announce events and run contests; every act audited; others are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from stagedoor.community.models import Contest, Event
from stagedoor.community.tests.conftest import make_event
from stagedoor.core.models import AuditEntry
from stagedoor.wallet.tests.conftest import consent

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    consent(user)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_admin_announces_an_event_and_a_contest_then_cancels_them(admin: Any) -> None:
    client = _client(admin)
    assert client.get("/staff/community/").status_code == 200
    response = client.post(
        "/staff/community/events/new",
        {
            "event-slug": "neon-night",
            "event-title": "Neon night",
            "event-kind": "themed_night",
            "event-starts_at": "2030-05-01T20:00",
            "event-ends_at": "2030-05-02T02:00",
            "event-description": "Glow sticks welcome.",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get(slug="neon-night")
    assert (event.title, event.starts_at.isoformat()) == ("Neon night", "2030-05-01T20:00:00+00:00")
    client.post(
        "/staff/community/contests/new",
        {
            "contest-slug": "neon-cup",
            "contest-title": "Neon cup",
            "contest-metric": "minutes",
            "contest-starts_at": "2030-05-01T20:00",
            "contest-ends_at": "2030-05-02T02:00",
            "contest-event": event.pk,
        },
    )
    contest = Contest.objects.get(slug="neon-cup")
    assert (contest.metric, contest.event_id) == ("minutes", event.pk)
    client.post(f"/staff/community/contests/{contest.pk}/cancel", {"reason": "rules changed"})
    client.post(f"/staff/community/events/{event.pk}/cancel", {"reason": "venue closed"})
    assert Contest.objects.get(pk=contest.pk).cancelled_at is not None
    assert Event.objects.get(pk=event.pk).cancelled_at is not None
    assert sorted(AuditEntry.objects.filter(action__startswith="community.").values_list("action", flat=True)) == [
        "community.contest_cancel",
        "community.contest_create",
        "community.event_cancel",
        "community.event_create",
    ]


def test_a_bad_form_changes_nothing(admin: Any) -> None:
    client = _client(admin)
    client.post("/staff/community/events/new", {"event-slug": "x", "event-title": ""})
    event = make_event(admin)
    client.post(f"/staff/community/events/{event.pk}/cancel", {"reason": ""})
    assert list(Event.objects.values_list("slug", "cancelled_at")) == [(event.slug, None)]


def test_only_holders_of_community_manage(make_user: Callable[..., Any]) -> None:
    for role in ("support_l2", "moderator", "finance"):
        client = _client(make_user(role))
        assert client.get("/staff/community/").status_code == 403
        client.post(
            "/staff/community/events/new",
            {
                "event-slug": "sneaky",
                "event-title": "S",
                "event-kind": "event",
                "event-starts_at": "2030-05-01T20:00",
                "event-ends_at": "2030-05-01T22:00",
            },
        )
    assert Event.objects.count() == 0
