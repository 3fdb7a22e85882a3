"""Private shows: request (first minute on hold), accept (live, minute 1 captured, other requests declined),
decline, cancel and expiry (holds released in full), and what the room shows to others."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.core.errors import ValidationFailed
from stagedoor.core.models import OutboxEvent
from stagedoor.shows import errors, selectors, services
from stagedoor.shows.models import (
    Participant,
    ParticipantStatus,
    Show,
    ShowMinute,
    ShowSettings,
    ShowStatus,
)
from stagedoor.wallet import errors as wallet_errors

pytestmark = pytest.mark.django_db

RATE = 60  # ShowSettings' default private rate


def test_request_holds_the_first_minute(performer: Any, viewer_with: Callable[[int], Any], balance: Any) -> None:
    viewer = viewer_with(200)
    show = services.private_request(viewer=viewer, performer=performer)
    assert (show.status, show.kind, show.rate, show.requested_by_id) == (
        ShowStatus.REQUESTED,
        "private",
        RATE,
        viewer.pk,
    )
    seat = Participant.objects.get(show=show)
    assert (seat.status, seat.rate, seat.hold_settled) == (ParticipantStatus.HELD, RATE, False)
    assert seat.hold is not None and seat.hold.idempotency_key == f"showhold:{seat.pk}"
    assert balance(viewer) == 200 - RATE
    assert not ShowMinute.objects.exists()
    # asking again answers the pending request, holding nothing more
    assert services.private_request(viewer=viewer, performer=performer).pk == show.pk
    assert balance(viewer) == 200 - RATE
    assert [s.pk for s in selectors.pending_requests(performer)] == [show.pk]


def test_request_without_funds_changes_nothing(performer: Any, viewer_with: Callable[[int], Any], balance: Any) -> None:
    viewer = viewer_with(RATE - 1)
    with pytest.raises(wallet_errors.InsufficientBalance):
        services.private_request(viewer=viewer, performer=performer)
    assert not Show.objects.exists()
    assert not Participant.objects.exists()
    assert balance(viewer) == RATE - 1


def test_request_refused_when_private_disabled(performer: Any, viewer_with: Callable[[int], Any], balance: Any) -> None:
    services.show_settings_update(performer=performer, private_enabled=False)
    viewer = viewer_with(100)
    with pytest.raises(errors.ShowsDisabled):
        services.private_request(viewer=viewer, performer=performer)
    assert not Show.objects.exists()
    assert balance(viewer) == 100


def test_accept_starts_the_show_and_declines_the_others(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any, earnings: Any
) -> None:
    first, second = viewer_with(500), viewer_with(500)
    show = services.private_request(viewer=first, performer=performer)
    other = services.private_request(viewer=second, performer=performer)
    before = timezone.now()
    services.private_accept(performer=performer, show_id=show.pk)
    show.refresh_from_db()
    assert show.status == ShowStatus.LIVE and show.started_at is not None
    seat = Participant.objects.get(show=show)
    assert seat.status == ParticipantStatus.ACTIVE and seat.hold_settled and seat.minutes_billed == 1
    minute = ShowMinute.objects.get(participant=seat)
    assert (minute.minute, minute.amount) == (1, RATE)
    assert minute.starts_at >= before and minute.ends_at - minute.starts_at == timedelta(seconds=60)
    assert seat.paid_until == minute.ends_at
    assert minute.transfer.kind == "hold_capture" and minute.transfer_id == seat.settlement_id
    assert balance(first) == 500 - RATE
    assert earnings(performer) == minute.transfer.data["performer_amount"] > 0
    # the other request: declined, its hold back in full
    other.refresh_from_db()
    assert (other.status, other.end_reason) == (ShowStatus.DECLINED, "another_accepted")
    other_seat = Participant.objects.get(show=other)
    assert (other_seat.status, other_seat.leave_reason) == (ParticipantStatus.RELEASED, "declined")
    assert balance(second) == 500
    # the room is "in private" for everyone else
    status = selectors.room_show_status(performer.room, viewer=second)
    assert status.in_private and status.label == "In a private show" and status.my_seat is None
    assert not status.spy_open


def test_decline_releases_the_hold(performer: Any, viewer_with: Callable[[int], Any], balance: Any) -> None:
    viewer = viewer_with(100)
    show = services.private_request(viewer=viewer, performer=performer)
    services.private_decline(performer=performer, show_id=show.pk)
    show.refresh_from_db()
    assert show.status == ShowStatus.DECLINED
    seat = Participant.objects.get(show=show)
    assert seat.status == ParticipantStatus.RELEASED and seat.settlement is not None
    assert seat.settlement.kind == "hold_release"
    assert balance(viewer) == 100
    assert OutboxEvent.objects.filter(topic="show.participant_left", payload__reason="declined").count() == 1
    with pytest.raises(errors.ShowStateConflict):
        services.private_accept(performer=performer, show_id=show.pk)
    assert balance(viewer) == 100


def test_only_the_performer_answers(performer: Any, make_user: Any, viewer_with: Callable[[int], Any]) -> None:
    viewer = viewer_with(100)
    show = services.private_request(viewer=viewer, performer=performer)
    other_performer = make_user("performer")
    with pytest.raises(errors.NotYourShow):
        services.private_accept(performer=other_performer, show_id=show.pk)
    with pytest.raises(errors.NotYourShow):
        services.private_decline(performer=viewer, show_id=show.pk)
    show.refresh_from_db()
    assert show.status == ShowStatus.REQUESTED


def test_cancel_and_expiry_release(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any, settings: Any
) -> None:
    a, b = viewer_with(100), viewer_with(100)
    show_a = services.private_request(viewer=a, performer=performer)
    show_b = services.private_request(viewer=b, performer=performer)
    services.private_cancel(viewer=a, show_id=show_a.pk)
    show_a.refresh_from_db()
    assert show_a.status == ShowStatus.CANCELLED and balance(a) == 100
    # not yet timed out: nothing expires
    assert services.requests_expire() == 0
    Show.objects.filter(pk=show_b.pk).update(created_at=timezone.now() - timedelta(seconds=121))
    assert services.requests_expire() == 1
    show_b.refresh_from_db()
    assert show_b.status == ShowStatus.EXPIRED and balance(b) == 100
    assert services.requests_expire() == 0  # replay: nothing more


def test_a_busy_room_takes_no_new_private_request(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any
) -> None:
    first = viewer_with(100)
    show = services.private_request(viewer=first, performer=performer)
    services.private_accept(performer=performer, show_id=show.pk)
    late = viewer_with(100)
    with pytest.raises(errors.RoomBusy):
        services.private_request(viewer=late, performer=performer)
    assert balance(late) == 100


def test_leaving_ends_the_private_show(performer: Any, viewer_with: Callable[[int], Any]) -> None:
    viewer = viewer_with(100)
    show = services.private_request(viewer=viewer, performer=performer)
    services.private_accept(performer=performer, show_id=show.pk)
    seat = services.participant_leave(viewer=viewer, show_id=show.pk)
    assert (seat.status, seat.leave_reason) == (ParticipantStatus.LEFT, "left")
    show.refresh_from_db()
    assert (show.status, show.end_reason) == (ShowStatus.ENDED, "viewer_left")
    assert selectors.room_show_status(performer.room).show is None


def test_settings_limits(performer: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.show_settings_update(performer=performer, private_rate=5, group_rate=1000)
    assert refused.value.extra["fields"].keys() == {"private_rate", "group_rate"}
    assert not ShowSettings.objects.filter(performer=performer).exists()
    saved = services.show_settings_update(performer=performer, private_rate=6, spy_enabled=True, spy_rate=999)
    assert (saved.private_rate, saved.spy_enabled, saved.spy_rate) == (6, True, 999)
