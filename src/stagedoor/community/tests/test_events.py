"""Events and contests: staff schedule them (audited), performers opt in, the directory filters by event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stagedoor.community import errors, services
from stagedoor.community.models import Contest, ContestEntry, Event, EventEntry
from stagedoor.community.tests.conftest import make_contest, make_event
from stagedoor.core.models import AuditEntry
from stagedoor.rooms.services import room_for_performer
from stagedoor.wallet.tests.conftest import consent

pytestmark = pytest.mark.django_db


def test_event_create_is_audited_and_bad_input_changes_nothing(admin: Any) -> None:
    now = timezone.now()
    event = make_event(admin)
    entry = AuditEntry.objects.get(action="community.event_create")
    assert (entry.actor_id, entry.target_id, entry.data) == (admin.pk, event.pk, {"slug": "latex-night"})
    bad: list[tuple[dict[str, Any], type[Exception]]] = [
        ({"slug": "Bad Slug!"}, errors.InvalidField),
        ({"ends_at": now - timedelta(hours=3)}, errors.InvalidSchedule),  # ends before it starts
        ({"ends_at": now + timedelta(days=120)}, errors.InvalidSchedule),  # too long
        ({"title": ""}, errors.InvalidField),
        ({"slug": "latex-night"}, errors.SlugTaken),
    ]
    for change, error in bad:
        kwargs: dict[str, Any] = {
            "actor": admin,
            "slug": "neon-night",
            "title": "Neon night",
            "starts_at": now - timedelta(hours=1),
            "ends_at": now + timedelta(hours=2),
        } | change
        with pytest.raises(error):
            services.event_create(**kwargs)
    assert list(Event.objects.values_list("slug", flat=True)) == ["latex-night"]
    assert AuditEntry.objects.filter(action="community.event_create").count() == 1


def test_performers_opt_in_and_out_viewers_cannot(make_user: Callable[..., Any], admin: Any) -> None:
    event = make_event(admin)
    star, fan = make_user("performer"), make_user("viewer")
    services.event_join(performer=star, event_id=event.pk)
    services.event_join(performer=star, event_id=event.pk)  # twice: one entry
    assert EventEntry.objects.filter(event=event).count() == 1
    with pytest.raises(errors.NotAPerformer):
        services.event_join(performer=fan, event_id=event.pk)
    assert EventEntry.objects.filter(event=event).count() == 1
    assert services.event_leave(performer=star, event_id=event.pk) is True
    assert EventEntry.objects.filter(event=event).count() == 0


def test_a_cancelled_event_takes_no_one_and_cancel_needs_a_reason(make_user: Callable[..., Any], admin: Any) -> None:
    event = make_event(admin)
    with pytest.raises(errors.InvalidField):
        services.event_cancel(actor=admin, event_id=event.pk, reason=" ")
    assert Event.objects.get(pk=event.pk).cancelled_at is None
    services.event_cancel(actor=admin, event_id=event.pk, reason="venue double-booked")
    assert AuditEntry.objects.get(action="community.event_cancel").data == {"reason": "venue double-booked"}
    with pytest.raises(errors.EventOver):
        services.event_join(performer=make_user("performer"), event_id=event.pk)
    assert EventEntry.objects.count() == 0


def test_contest_entries_close_when_it_ends(make_user: Callable[..., Any], admin: Any) -> None:
    star = make_user("performer")
    contest = make_contest(admin, entrants=(star,))
    assert ContestEntry.objects.filter(contest=contest).count() == 1
    Contest.objects.filter(pk=contest.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(errors.ContestOver):
        services.contest_leave(performer=star, contest_id=contest.pk)
    with pytest.raises(errors.ContestOver):
        services.contest_enter(performer=make_user("performer"), contest_id=contest.pk)
    assert ContestEntry.objects.filter(contest=contest).count() == 1
    with pytest.raises(errors.InvalidField):
        services.contest_create(
            actor=admin,
            slug="x-cup",
            title="X",
            metric="likes",
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(hours=1),
        )
    assert Contest.objects.count() == 1


def test_directory_filters_by_event_and_the_pages_list_it(make_user: Callable[..., Any], admin: Any) -> None:
    event = make_event(admin)
    ana = make_user("performer", login="ana_in", display_name="Ana In")
    bob = make_user("performer", login="bob_out", display_name="Bob Out")
    room_for_performer(performer=ana)
    room_for_performer(performer=bob)
    services.event_join(performer=ana, event_id=event.pk)
    viewer = consent(make_user("viewer"))
    client = Client()
    client.force_login(viewer, backend="django.contrib.auth.backends.ModelBackend")
    everyone = client.get("/").content.decode()
    assert "Ana In" in everyone and "Bob Out" in everyone
    assert 'data-testid="event-chip"' in everyone
    filtered = client.get(f"/?event={event.slug}").content.decode()
    assert "Ana In" in filtered and "Bob Out" not in filtered
    assert "the performers of" in filtered
    nobody = client.get("/?event=no-such-night").content.decode()
    assert "Ana In" not in nobody and "Bob Out" not in nobody
    page = client.get("/events").content.decode()
    assert "Latex Night" in page and "1 performer" in page
    detail = client.get(f"/events/{event.slug}")
    assert detail.status_code == 200 and "Ana In" in detail.content.decode()
    assert client.get("/events/nope").status_code == 404
