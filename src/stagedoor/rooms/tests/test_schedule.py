"""A performer's show schedule: the services, the studio's form, and "Next show" on the room page and the
directory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stagedoor.core.errors import ValidationFailed
from stagedoor.core.models import AuditEntry
from stagedoor.rooms import errors, selectors, services
from stagedoor.rooms.models import Room, ScheduledShow
from stagedoor.rooms.presenters import room_card
from stagedoor.rooms.services import ShowPlan

pytestmark = pytest.mark.django_db

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def consented(client: Client) -> Client:
    client.post("/api/v1/consent", {"age_confirmed": True, "terms_accepted": True}, content_type="application/json")
    return client


def at(days: int, hour: int = 20, minute: int = 0) -> datetime:
    """A whole minute `days` from today, UTC."""
    today = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days, hours=hour, minutes=minute)


@pytest.fixture
def performer(make_user: Any) -> Any:
    return make_user("performer", login="luna_vesper", display_name="Luna Vesper")


@pytest.fixture
def room(performer: Any) -> Room:
    return services.room_for_performer(performer=performer)


def starts(room: Room) -> list[datetime]:
    return list(ScheduledShow.objects.filter(room=room).order_by("starts_at").values_list("starts_at", flat=True))


def test_add_remove_and_next_show(performer: Any, room: Room) -> None:
    late = services.room_schedule_add(room=room, actor=performer, plan=ShowPlan(at(3), 90, "Portraits"))
    soon = services.room_schedule_add(
        room=room, actor=performer, plan=ShowPlan(at(1).replace(second=42, microsecond=7), 120, " Sketch night ")
    )
    assert (soon.starts_at, soon.duration_minutes, soon.title) == (at(1), 120, "Sketch night")  # whole minutes
    assert [s.pk for s in selectors.upcoming_shows(room)] == [soon.pk, late.pk]
    assert selectors.next_show(room) == soon and room_card(room)["next_show_at"] == at(1)
    audit = AuditEntry.objects.get(action="room.show_scheduled", data__title="Sketch night")
    assert audit.target_id == room.pk and audit.actor_id == performer.pk and audit.data["duration_minutes"] == 120

    services.room_schedule_remove(room=room, actor=performer, show_id=soon.pk)
    assert starts(room) == [at(3)] and room_card(room)["next_show_at"] == at(3)
    assert AuditEntry.objects.filter(action="room.show_unscheduled", target_id=room.pk).count() == 1


def test_a_live_room_shows_no_next_show(performer: Any, room: Room) -> None:
    services.room_schedule_add(room=room, actor=performer, plan=ShowPlan(at(1)))
    services.room_set_status(room=room, status=Room.Status.LIVE)
    assert room_card(room)["next_show_at"] is None


@pytest.mark.parametrize(
    ("plan", "field", "message"),
    [
        (ShowPlan(timezone.now() - timedelta(minutes=5)), "starts_at", "Pick a time in the future."),
        (ShowPlan(timezone.now() + timedelta(days=400)), "starts_at", "Schedule at most a year ahead."),
        (ShowPlan(datetime(2031, 1, 1, 20, 0)), "starts_at", "Give a date and time."),  # noqa: DTZ001 - naive on purpose
        (ShowPlan(at(1), 10), "duration_minutes", "Use 15 to 720 minutes."),
        (ShowPlan(at(1), 721), "duration_minutes", "Use 15 to 720 minutes."),
        (ShowPlan(at(1), 60, "x" * 121), "title", "Use at most 120 characters."),
    ],
)
def test_invalid_shows_are_refused_and_change_nothing(
    performer: Any, room: Room, plan: ShowPlan, field: str, message: str
) -> None:
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        services.room_schedule_add(room=room, actor=performer, plan=plan)
    assert refused.value.extra["fields"] == {field: [message]}
    assert starts(room) == [] and AuditEntry.objects.count() == audits


def test_one_show_per_start_and_a_bounded_schedule(performer: Any, room: Room) -> None:
    services.room_schedule_add(room=room, actor=performer, plan=ShowPlan(at(1)))
    with pytest.raises(ValidationFailed) as twice:
        services.room_schedule_add(room=room, actor=performer, plan=ShowPlan(at(1), 30, "again"))
    assert twice.value.extra["fields"] == {"starts_at": ["A show already starts then."]}
    for day in range(2, services.MAX_UPCOMING_SHOWS + 1):
        services.room_schedule_add(room=room, actor=performer, plan=ShowPlan(at(day)))
    with pytest.raises(ValidationFailed):
        services.room_schedule_add(room=room, actor=performer, plan=ShowPlan(at(40)))
    assert len(starts(room)) == services.MAX_UPCOMING_SHOWS


def test_nobody_removes_anothers_show(performer: Any, room: Room, make_user: Any) -> None:
    show = services.room_schedule_add(room=room, actor=performer, plan=ShowPlan(at(1)))
    other = services.room_for_performer(performer=make_user("performer", login="nova"))
    with pytest.raises(errors.ShowNotFound):
        services.room_schedule_remove(room=other, actor=other.performer, show_id=show.pk)
    assert starts(room) == [at(1)]


def test_set_replaces_the_upcoming_shows_keeps_the_past_and_is_all_or_nothing(performer: Any, room: Room) -> None:
    past = ScheduledShow.objects.create(room=room, starts_at=timezone.now() - timedelta(days=2))
    services.room_schedule_add(room=room, actor=performer, plan=ShowPlan(at(5)))
    services.room_schedule_set(room=room, actor="cli:demo", plans=[ShowPlan(at(2)), ShowPlan(at(1), 30, "Q&A")])
    assert starts(room) == [past.starts_at, at(1), at(2)]
    with pytest.raises(ValidationFailed):
        services.room_schedule_set(room=room, actor=performer, plans=[ShowPlan(at(3)), ShowPlan(at(3))])
    with pytest.raises(ValidationFailed):
        services.room_schedule_set(room=room, actor=performer, plans=[ShowPlan(at(3)), ShowPlan(at(4), 5)])
    assert starts(room) == [past.starts_at, at(1), at(2)]
    assert AuditEntry.objects.filter(action="room.schedule_set").count() == 1


def test_the_directory_annotates_the_next_show(performer: Any, room: Room) -> None:
    from stagedoor.core.geo import Location

    services.room_schedule_add(room=room, actor=performer, plan=ShowPlan(at(2)))
    services.room_schedule_add(room=room, actor=performer, plan=ShowPlan(at(1)))
    ScheduledShow.objects.create(room=room, starts_at=timezone.now() - timedelta(hours=3))  # over: not "next"
    found = selectors.directory(location=Location(country="", subdivision=""))
    assert [room_card(r)["next_show_at"] for r in found] == [at(1)]


# --- pages --------------------------------------------------------------------------------


def test_studio_schedule_form_adds_and_removes_shows(performer: Any, room: Room) -> None:
    client = consented(Client())
    client.force_login(performer)
    page = client.get("/studio").content.decode()
    assert 'data-testid="studio-schedule"' in page and 'name="show-starts_at"' in page
    when = at(2, 21, 30)
    form = {"show-starts_at": when.strftime("%Y-%m-%dT%H:%M"), "show-duration_minutes": "90", "show-title": "Q&A"}
    card = client.post("/studio/schedule", form, **HTMX)
    html = card.content.decode()
    assert card.status_code == 200 and 'id="studio-schedule"' in html and "<html" not in html
    assert f"Show on {when:%a %d %b, %H:%M} UTC added." in html and "Q&amp;A" in html
    assert [(s.starts_at, s.duration_minutes, s.title) for s in ScheduledShow.objects.filter(room=room)] == [
        (when, 90, "Q&A")
    ]
    plain = client.post("/studio/schedule", {**form, "show-starts_at": at(3).strftime("%Y-%m-%dT%H:%M")})
    assert plain.status_code == 302 and plain["Location"] == "/studio#studio-schedule"
    assert starts(room) == [when, at(3)]
    show = ScheduledShow.objects.get(room=room, starts_at=when)
    removed = client.post(f"/studio/schedule/{show.pk}/remove", **HTMX).content.decode()
    assert "Show removed from the schedule." in removed and starts(room) == [at(3)]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"show-starts_at": "2020-01-01T20:00", "show-duration_minutes": "60"}, "Pick a time in the future."),
        ({"show-starts_at": "tomorrow", "show-duration_minutes": "60"}, "Check the show&#x27;s time and length."),
        (
            {"show-starts_at": "2031-01-01T20:00", "show-duration_minutes": "45"},
            "Check the show&#x27;s time and length.",
        ),
    ],
)
def test_studio_schedule_refusals_change_nothing(
    performer: Any, room: Room, form: dict[str, str], message: str
) -> None:
    client = consented(Client())
    client.force_login(performer)
    html = client.post("/studio/schedule", form, **HTMX).content.decode()
    assert message in html and 'data-testid="schedule-error"' in html
    assert starts(room) == []


def test_studio_schedule_needs_a_performer_and_the_csrf_token(performer: Any, room: Room, make_user: Any) -> None:
    form = {"show-starts_at": at(2).strftime("%Y-%m-%dT%H:%M"), "show-duration_minutes": "60"}
    viewer = consented(Client())
    viewer.force_login(make_user("viewer"))
    assert viewer.post("/studio/schedule", form).status_code == 403
    strict = consented(Client(enforce_csrf_checks=True))
    strict.force_login(performer)
    assert strict.post("/studio/schedule", form, **HTMX).status_code == 403
    show = services.room_schedule_add(room=room, actor=performer, plan=ShowPlan(at(4)))
    assert strict.post(f"/studio/schedule/{show.pk}/remove", **HTMX).status_code == 403
    assert starts(room) == [at(4)]


def test_room_page_and_directory_show_the_next_show_when_offline(performer: Any, room: Room) -> None:
    client = consented(Client())
    assert 'data-testid="next-show"' not in client.get(room.url).content.decode()
    services.room_schedule_add(room=room, actor=performer, plan=ShowPlan(at(1, 20, 0)))
    label = f"{at(1):%a} {at(1).day} {at(1):%b}, 20:00 UTC"
    page = client.get(room.url).content.decode()
    assert 'data-testid="next-show"' in page and label in page
    home = client.get("/").content.decode()
    assert 'data-testid="card-next-show"' in home and label in home
    services.room_set_status(room=room, status=Room.Status.LIVE)
    assert 'data-testid="next-show"' not in client.get(room.url).content.decode()
