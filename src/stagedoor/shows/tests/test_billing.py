"""Per-minute billing: paid before watched, one charge per (participant, minute), resume without back-dating,
stale pages let go, low-funds warning, drop when funds run out, replays do nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.core.models import OutboxEvent
from stagedoor.shows import selectors, services
from stagedoor.shows.models import Participant, ParticipantStatus, Show, ShowMinute, ShowStatus
from stagedoor.shows.tasks import bill_pass
from stagedoor.shows.tests.conftest import make_due, shows_settings
from stagedoor.wallet.models import LedgerTransfer
from stagedoor.wallet.tests.conftest import fund_wallet

pytestmark = pytest.mark.django_db

RATE = 60


def _live_private(performer: Any, viewer: Any) -> tuple[Show, Participant]:
    show = services.private_request(viewer=viewer, performer=performer)
    services.private_accept(performer=performer, show_id=show.pk)
    show.refresh_from_db()
    return show, Participant.objects.get(show=show, user=viewer)


def test_nothing_is_charged_before_it_is_due(performer: Any, viewer_with: Callable[[int], Any], balance: Any) -> None:
    viewer = viewer_with(1000)
    _, _seat = _live_private(performer, viewer)
    assert services.bill_due().touched == 0
    assert balance(viewer) == 1000 - RATE
    assert ShowMinute.objects.count() == 1


def test_the_next_minute_is_charged_before_it_starts(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any, earnings: Any
) -> None:
    viewer = viewer_with(1000)
    _, seat = _live_private(performer, viewer)
    make_due(seat, seconds_left=2)
    seat.refresh_from_db()
    previous_end = seat.paid_until
    outcome = services.bill_due()
    assert outcome.charged == [(seat.pk, 2)]
    seat.refresh_from_db()
    minute = ShowMinute.objects.get(participant=seat, minute=2)
    # minute 2 starts where minute 1 ends (in the future: paid before watched), one minute long
    assert minute.starts_at == previous_end and minute.ends_at == previous_end + timedelta(seconds=60)
    assert minute.created_at < minute.starts_at
    assert (seat.paid_until, seat.minutes_billed) == (minute.ends_at, 2)
    transfer = LedgerTransfer.objects.get(idempotency_key=f"show:{seat.pk}:2")
    assert transfer.pk == minute.transfer_id and transfer.kind == "charge"
    assert (
        transfer.data["amount"] == RATE and transfer.data["item"] == "show_minute" and transfer.data["ref"] == seat.pk
    )
    assert balance(viewer) == 1000 - 2 * RATE
    shares = sum(m.transfer.data["performer_amount"] for m in ShowMinute.objects.filter(participant=seat))
    assert earnings(performer) == shares
    # replaying the pass (another biller, a retried job) does nothing
    assert services.bill_due().touched == 0
    assert bill_pass() == 0
    assert ShowMinute.objects.filter(participant=seat).count() == 2
    assert balance(viewer) == 1000 - 2 * RATE


def test_resuming_after_the_biller_was_down_starts_now(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any
) -> None:
    viewer = viewer_with(1000)
    _, seat = _live_private(performer, viewer)
    now = timezone.now()
    # the biller was down: minute 1 ended 40 s ago; the viewer's page is still open
    Participant.objects.filter(pk=seat.pk).update(paid_until=now - timedelta(seconds=40), last_seen=now)
    services.bill_due()
    minute = ShowMinute.objects.get(participant=seat, minute=2)
    assert minute.starts_at >= now  # never back-dated over the gap the viewer could not watch
    assert minute.starts_at == minute.created_at
    assert balance(viewer) == 1000 - 2 * RATE


def test_a_stale_page_leaves_instead_of_paying(performer: Any, viewer_with: Callable[[int], Any], balance: Any) -> None:
    viewer = viewer_with(1000)
    show, seat = _live_private(performer, viewer)
    make_due(seat)
    Participant.objects.filter(pk=seat.pk).update(last_seen=timezone.now() - timedelta(seconds=21))
    outcome = services.bill_due()
    assert outcome.gone == [seat.pk] and outcome.charged == []
    seat.refresh_from_db()
    assert (seat.status, seat.leave_reason, seat.minutes_billed) == (ParticipantStatus.LEFT, "gone", 1)
    assert balance(viewer) == 1000 - RATE
    show.refresh_from_db()
    assert (show.status, show.end_reason) == (ShowStatus.ENDED, "viewer_gone")


def test_heartbeat_keeps_the_seat(performer: Any, viewer_with: Callable[[int], Any]) -> None:
    viewer = viewer_with(1000)
    _, seat = _live_private(performer, viewer)
    make_due(seat)
    Participant.objects.filter(pk=seat.pk).update(last_seen=timezone.now() - timedelta(seconds=21))
    services.participant_heartbeat(participant=seat)
    assert services.bill_due().charged == [(seat.pk, 2)]


def test_low_funds_warns_then_drops(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any, settings: Any
) -> None:
    shows_settings(settings, warn_minutes=1)
    viewer = viewer_with(2 * RATE + 10)  # minute 1 and minute 2, then 10 tokens: not a third minute
    show, seat = _live_private(performer, viewer)
    seat.refresh_from_db()
    assert seat.low_funds_warned_at is None  # after minute 1 the wallet still covers one more
    make_due(seat)
    services.bill_due()
    seat.refresh_from_db()
    assert seat.minutes_billed == 2 and seat.low_funds_warned_at is not None
    warning = OutboxEvent.objects.get(topic="show.low_funds")
    assert warning.payload == {
        "show_id": show.pk,
        "participant_id": seat.pk,
        "user_id": viewer.pk,
        "balance": 10,
        "rate": RATE,
        "minutes_left": 0,
    }
    make_due(seat)
    outcome = services.bill_due()
    # Minute 2 is paid to its end: short of a third, the seat stays (retried each pass) until then.
    assert (outcome.short, outcome.dropped) == ([seat.pk], [])
    seat.refresh_from_db()
    assert seat.status == ParticipantStatus.ACTIVE
    make_due(seat, seconds_left=-0.5)  # minute 2 is over
    outcome = services.bill_due()
    assert outcome.dropped == [seat.pk]
    seat.refresh_from_db()
    assert (seat.status, seat.leave_reason, seat.minutes_billed) == (ParticipantStatus.DROPPED, "funds", 2)
    assert balance(viewer) == 10
    assert not LedgerTransfer.objects.filter(idempotency_key=f"show:{seat.pk}:3").exists()
    dropped = OutboxEvent.objects.get(topic="show.participant_left")
    assert dropped.payload["reason"] == "funds" and dropped.payload["status"] == "dropped"
    show.refresh_from_db()
    assert (show.status, show.end_reason) == (ShowStatus.ENDED, "viewer_funds")
    assert OutboxEvent.objects.filter(topic="show.changed", payload__status="ended").count() == 1


def test_an_ended_show_is_not_billed(performer: Any, viewer_with: Callable[[int], Any], balance: Any) -> None:
    viewer = viewer_with(1000)
    show, seat = _live_private(performer, viewer)
    services.show_end(performer=performer, show_id=show.pk)
    Participant.objects.filter(pk=seat.pk).update(paid_until=timezone.now(), last_seen=timezone.now())
    assert services.bill_due().touched == 0
    seat.refresh_from_db()
    assert (seat.status, seat.leave_reason) == (ParticipantStatus.LEFT, "ended")
    assert balance(viewer) == 1000 - RATE


def test_statement_lists_every_minute(
    performer: Any, viewer_with: Callable[[int], Any], make_user: Any, settings: Any
) -> None:
    viewer = viewer_with(1000)
    show, seat = _live_private(performer, viewer)
    for _ in range(2):
        make_due(seat)
        services.bill_due()
    own = selectors.show_statement(viewer, show.pk)
    assert own.scope == "own" and [line.minute for line in own.lines] == [1, 2, 3]
    assert own.total == 3 * RATE
    assert [line.transfer_id for line in own.lines] == list(
        ShowMinute.objects.filter(participant=seat).order_by("minute").values_list("transfer_id", flat=True)
    )
    assert selectors.show_statement(performer, show.pk).scope == "all"
    support = make_user("finance")
    assert selectors.show_statement(support, show.pk).total == 3 * RATE
    from stagedoor.shows import errors

    with pytest.raises(errors.ShowNotFound):
        selectors.show_statement(viewer_with(0), show.pk)


def test_discount_rounds_in_the_viewers_favour() -> None:
    assert selectors.discounted_rate(60, 0) == 60
    assert selectors.discounted_rate(60, 1000) == 54
    assert selectors.discounted_rate(7, 1500) == 5  # 5.95 → 5
    assert selectors.discounted_rate(1, 5000) == 1  # never below one token
    assert selectors.discounted_rate(10, 10_000) == 1


def test_access_until_follows_paid_until(performer: Any, viewer_with: Callable[[int], Any]) -> None:
    viewer = viewer_with(1000)
    _, seat = _live_private(performer, viewer)
    assert selectors.participant_access_until(seat) == seat.paid_until
    assert seat.paid_until is not None
    assert selectors.participant_access_until(seat, now=seat.paid_until + timedelta(seconds=1)) is None


def test_a_fans_discount_lowers_every_minute(performer: Any, viewer_with: Callable[[int], Any], balance: Any) -> None:
    from stagedoor.fans import services as fans

    fans.club_configure(performer=performer, enabled=True, price=50, discount_bp=1500)
    fan = viewer_with(1000)
    fans.membership_join(user=fan, performer_id=performer.pk)
    after_join = balance(fan)
    _, seat = _live_private(performer, fan)
    assert seat.rate == 51  # 60 less 15 % = 51
    make_due(seat)
    services.bill_due()
    assert [m.amount for m in ShowMinute.objects.filter(participant=seat).order_by("minute")] == [51, 51]
    assert balance(fan) == after_join - 2 * 51


def test_tokens_bought_before_the_paid_minute_ends_continue_the_show(
    performer: Any, viewer_with: Callable[[int], Any], balance: Any
) -> None:
    viewer = viewer_with(RATE + 5)  # minute 1 only
    _show, seat = _live_private(performer, viewer)
    make_due(seat)
    assert services.bill_due().short == [seat.pk]
    fund_wallet(viewer, RATE)
    make_due(seat)
    assert services.bill_due().charged == [(seat.pk, 2)]
    seat.refresh_from_db()
    assert (seat.status, seat.minutes_billed) == (ParticipantStatus.ACTIVE, 2)
    assert balance(viewer) == 5
