"""Group, ticket and spy shows: holds, start, refunds on cancel, leaving."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.shows import errors, selectors, services
from stagedoor.shows.models import Participant, ParticipantRole, ParticipantStatus, ShowMinute, ShowStatus
from stagedoor.shows.tests.conftest import make_due
from stagedoor.wallet import errors as wallet_errors

pytestmark = pytest.mark.django_db


# --- group ------------------------------------------------------------------------------------------------


def test_group_goes_live_when_the_minimum_joins(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any
) -> None:
    services.show_settings_update(performer=performer, group_rate=10, group_minimum=2)
    show = services.group_open(performer=performer)
    assert (show.status, show.rate, show.minimum) == (ShowStatus.WAITING, 10, 2)
    a, b, late = viewer_with(100), viewer_with(100), viewer_with(100)
    seat_a = services.group_join(viewer=a, show_id=show.pk)
    assert seat_a.status == ParticipantStatus.HELD and balance(a) == 90
    with pytest.raises(errors.MinimumNotReached):
        services.group_start(performer=performer, show_id=show.pk)
    assert not ShowMinute.objects.exists()
    seat_b = services.group_join(viewer=b, show_id=show.pk)
    show.refresh_from_db()
    seat_a.refresh_from_db()
    assert show.status == ShowStatus.LIVE
    assert seat_a.status == seat_b.status == ParticipantStatus.ACTIVE
    assert ShowMinute.objects.filter(minute=1).count() == 2
    assert selectors.room_show_status(performer.room).label == "Group show"
    # joining a live group show starts at once
    seat_late = services.group_join(viewer=late, show_id=show.pk)
    assert seat_late.status == ParticipantStatus.ACTIVE and seat_late.minutes_billed == 1
    assert balance(late) == 90
    with pytest.raises(errors.AlreadyInShow):
        services.group_join(viewer=late, show_id=show.pk)
    assert balance(late) == 90
    # billing goes on per seat
    make_due(seat_a)
    assert services.bill_due().charged == [(seat_a.pk, 2)]
    assert balance(a) == 80
    # the show goes on while viewers remain; it ends with the last
    services.participant_leave(viewer=a, show_id=show.pk)
    services.participant_leave(viewer=b, show_id=show.pk)
    show.refresh_from_db()
    assert show.status == ShowStatus.LIVE
    services.participant_leave(viewer=late, show_id=show.pk)
    show.refresh_from_db()
    assert (show.status, show.end_reason) == (ShowStatus.ENDED, "viewer_left")


def test_group_closed_before_it_starts_releases_every_hold(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any
) -> None:
    show = services.group_open(performer=performer, minimum=3)
    viewers = [viewer_with(100) for _ in range(2)]
    for viewer in viewers:
        services.group_join(viewer=viewer, show_id=show.pk)
    services.show_end(performer=performer, show_id=show.pk)
    show.refresh_from_db()
    assert show.status == ShowStatus.CANCELLED
    assert [balance(v) for v in viewers] == [100, 100]
    assert set(Participant.objects.values_list("status", flat=True)) == {ParticipantStatus.RELEASED}


def test_a_held_group_seat_may_leave_with_its_hold(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any
) -> None:
    show = services.group_open(performer=performer, minimum=3)
    viewer = viewer_with(100)
    services.group_join(viewer=viewer, show_id=show.pk)
    seat = services.participant_leave(viewer=viewer, show_id=show.pk)
    assert seat.status == ParticipantStatus.RELEASED and balance(viewer) == 100


def test_one_running_show_per_room(performer: Any, viewer_with: Callable[[int], Any]) -> None:
    services.group_open(performer=performer)
    with pytest.raises(errors.RoomBusy):
        services.group_open(performer=performer)
    with pytest.raises(errors.RoomBusy):
        services.private_request(viewer=viewer_with(100), performer=performer)


# --- ticket -----------------------------------------------------------------------------------------------


def test_ticket_is_a_hold_until_the_show_starts(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any, earnings: Any
) -> None:
    starts = timezone.now() + timedelta(hours=2)
    show = services.ticket_schedule(performer=performer, title="Saturday special", starts_at=starts, price=150)
    assert (show.status, show.ticket_price) == (ShowStatus.SCHEDULED, 150)
    buyer, poor = viewer_with(200), viewer_with(100)
    seat = services.ticket_buy(viewer=buyer, show_id=show.pk)
    assert (seat.role, seat.status, balance(buyer)) == (ParticipantRole.TICKET, ParticipantStatus.HELD, 50)
    with pytest.raises(wallet_errors.InsufficientBalance):
        services.ticket_buy(viewer=poor, show_id=show.pk)
    assert balance(poor) == 100 and not Participant.objects.filter(user=poor).exists()
    status = selectors.room_show_status(performer.room, viewer=buyer)
    assert [t.pk for t in status.tickets] == [show.pk] and status.my_tickets == {show.pk}
    assert earnings(performer) == 0
    services.ticket_start(performer=performer, show_id=show.pk)
    seat.refresh_from_db()
    assert seat.status == ParticipantStatus.ACTIVE and seat.settlement is not None
    assert seat.settlement.data["amount"] == 150 and balance(buyer) == 50
    assert earnings(performer) == seat.settlement.data["performer_amount"] > 0
    # no per-minute billing for tickets
    Participant.objects.filter(pk=seat.pk).update(paid_until=timezone.now())
    assert services.bill_due().touched == 0
    statement = selectors.show_statement(performer, show.pk)
    assert [(line.minute, line.amount) for line in statement.lines] == [(None, 150)]
    assert selectors.participant_access_until(seat) is not None


def test_cancelled_ticket_show_refunds_every_ticket(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any
) -> None:
    show = services.ticket_schedule(
        performer=performer, title="Late show", starts_at=timezone.now() + timedelta(days=1), price=40
    )
    buyers = [viewer_with(100) for _ in range(3)]
    for buyer in buyers:
        services.ticket_buy(viewer=buyer, show_id=show.pk)
    assert [balance(b) for b in buyers] == [60, 60, 60]
    services.ticket_cancel(performer=performer, show_id=show.pk)
    show.refresh_from_db()
    assert show.status == ShowStatus.CANCELLED
    assert [balance(b) for b in buyers] == [100, 100, 100]
    assert set(Participant.objects.values_list("status", flat=True)) == {ParticipantStatus.RELEASED}
    with pytest.raises(errors.ShowStateConflict):
        services.ticket_buy(viewer=viewer_with(100), show_id=show.pk)


@pytest.mark.parametrize(
    ("title", "hours", "price"), [("", 1, 10), ("Fine", -1, 10), ("Fine", 1, 0), ("Fine", 1, 10_001)]
)
def test_ticket_schedule_refuses_bad_input(performer: Any, title: str, hours: int, price: int) -> None:
    with pytest.raises(errors.InvalidSchedule):
        services.ticket_schedule(
            performer=performer, title=title, starts_at=timezone.now() + timedelta(hours=hours), price=price
        )


# --- spy --------------------------------------------------------------------------------------------------


def _live_private(performer: Any, viewer: Any) -> Any:
    show = services.private_request(viewer=viewer, performer=performer)
    return services.private_accept(performer=performer, show_id=show.pk)


def test_spy_watches_a_private_show_at_the_spy_rate(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any
) -> None:
    services.show_settings_update(performer=performer, spy_enabled=True, spy_rate=15)
    show = _live_private(performer, viewer_with(500))
    assert selectors.room_show_status(performer.room).spy_open
    spy = viewer_with(100)
    seat = services.spy_join(viewer=spy, show_id=show.pk)
    assert (seat.role, seat.status, seat.rate, seat.minutes_billed) == (
        ParticipantRole.SPY,
        ParticipantStatus.ACTIVE,
        15,
        1,
    )
    assert balance(spy) == 85
    make_due(seat)
    assert services.bill_due().charged == [(seat.pk, 2)]
    assert balance(spy) == 70
    # a spy leaving does not end the show; the private viewer leaving ends it (and the spy's seat)
    services.participant_leave(viewer=spy, show_id=show.pk)
    show.refresh_from_db()
    assert show.status == ShowStatus.LIVE


def test_spy_seat_closes_with_the_show(performer: Any, viewer_with: Callable[[int], Any]) -> None:
    services.show_settings_update(performer=performer, spy_enabled=True)
    viewer = viewer_with(500)
    show = _live_private(performer, viewer)
    seat = services.spy_join(viewer=viewer_with(100), show_id=show.pk)
    services.participant_leave(viewer=viewer, show_id=show.pk)
    seat.refresh_from_db()
    assert (seat.status, seat.leave_reason) == (ParticipantStatus.LEFT, "ended")


def test_spying_needs_the_performers_permission(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any
) -> None:
    show = _live_private(performer, viewer_with(500))
    spy = viewer_with(100)
    with pytest.raises(errors.SpyingNotAllowed):
        services.spy_join(viewer=spy, show_id=show.pk)
    assert balance(spy) == 100 and not Participant.objects.filter(user=spy).exists()
