"""Seats: holding a place, settling the hold when a seat starts (minute 1, or the ticket), leaving, and
the show's own status changes. The show-type modules (private, group, ticket, spy) build on these."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.core.ids import new_id
from stagedoor.core.outbox import outbox_publish
from stagedoor.fans.selectors import fan_discount_bp
from stagedoor.shows import errors, events
from stagedoor.shows.models import (
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Show,
    ShowKind,
    ShowMinute,
    ShowStatus,
)
from stagedoor.shows.selectors.config import discounted_rate, minute_length, shows_config
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet import services as wallet

ENDED_STATUSES = (ShowStatus.ENDED, ShowStatus.DECLINED, ShowStatus.CANCELLED, ShowStatus.EXPIRED)


def lock_show(show_id: str) -> Show:
    """The show's row, locked for the rest of the transaction (PostgreSQL; SQLite has one writer anyway)."""
    show = Show.objects.select_for_update().filter(pk=show_id).first()
    if show is None:
        raise errors.ShowNotFound()
    return show


def lock_participant(participant_id: str) -> Participant | None:
    return Participant.objects.select_for_update().filter(pk=participant_id).first()


def publish_show(show: Show, *, reason: str = "") -> None:
    outbox_publish(
        topic=events.SHOW_CHANGED,
        payload={
            "show_id": show.pk,
            "room_id": show.room_id,
            "performer_id": show.performer_id,
            "kind": show.kind,
            "status": show.status,
            "reason": reason,
        },
    )


def _watermark(participant_id: str) -> str:
    return participant_id.replace("-", "")[-8:].upper()


def seat_rate(*, show: Show, user: Any, role: str) -> int:
    """What `user` pays per minute (or for the ticket) in `role`: the show's price less their fan discount."""
    if role == ParticipantRole.TICKET:
        return show.ticket_price  # a ticket's price is fixed; fan discounts apply to per-minute rates
    base = show.spy_rate if role == ParticipantRole.SPY else show.rate
    return discounted_rate(base, fan_discount_bp(user_id=user.pk, performer_id=show.performer_id))


def seat_place(*, show: Show, user: Any, role: str) -> Participant:
    """A HELD seat for `user`: the first minute (or the ticket) on hold. InsufficientBalance if short; the
    seat is then not created. Call inside the caller's transaction, with the show locked."""
    if user.pk == show.performer_id:
        raise errors.OwnShow()
    existing = Participant.objects.filter(show=show, user_id=user.pk).first()
    if existing is not None:
        raise errors.AlreadyInShow(extra={"participant_id": existing.pk, "status": existing.status})
    rate = seat_rate(show=show, user=user, role=role)
    participant_id = new_id()
    with transaction.atomic():
        paid = wallet.hold_place(
            payer=user,
            payee=show.performer,
            amount=rate,
            key=f"showhold:{participant_id}",
            item="show_ticket" if role == ParticipantRole.TICKET else "show_hold",
            ref=participant_id,
            memo=f"{show.get_kind_display()} {show.pk}",
        )
        try:
            participant = Participant.objects.create(
                id=participant_id,
                show=show,
                user=user,
                role=role,
                status=ParticipantStatus.HELD,
                rate=rate,
                hold=paid.transfer,
                watermark=_watermark(participant_id),
                last_seen=timezone.now(),
            )
        except IntegrityError:
            raise errors.AlreadyInShow() from None
    return participant


def _release(participant: Participant, *, status: str, reason: str, now: datetime) -> None:
    """Give a HELD seat's hold back in full and close the seat."""
    if participant.hold is not None and not participant.hold_settled:
        paid = wallet.hold_settle(hold=participant.hold, capture=0, memo=f"show {participant.show_id} {reason}")
        participant.settlement = paid.transfer
        participant.hold_settled = True
    participant.status = status
    participant.left_at = now
    participant.leave_reason = reason
    participant.save(update_fields=["settlement", "hold_settled", "status", "left_at", "leave_reason"])
    _publish_left(participant)


def _publish_left(participant: Participant) -> None:
    outbox_publish(
        topic=events.SHOW_PARTICIPANT_LEFT,
        payload={
            "show_id": participant.show_id,
            "participant_id": participant.pk,
            "user_id": participant.user_id,
            "role": participant.role,
            "status": participant.status,
            "reason": participant.leave_reason,
            "minutes_billed": participant.minutes_billed,
        },
    )


def seat_activate(participant: Participant, *, now: datetime | None = None) -> Participant:
    """Start a HELD seat: capture its hold — minute 1 (a `ShowMinute`) for a per-minute seat, the whole price
    for a ticket — in one transaction with the seat becoming ACTIVE. The show must be LIVE and locked."""
    now = now or timezone.now()
    if participant.status != ParticipantStatus.HELD or participant.hold is None:
        return participant
    with transaction.atomic():
        paid = wallet.hold_settle(
            hold=participant.hold, capture=participant.rate, memo=f"show {participant.show_id} starts"
        )
        participant.settlement = paid.transfer
        participant.hold_settled = True
        participant.status = ParticipantStatus.ACTIVE
        participant.last_seen = max(participant.last_seen or now, now)
        fields = ["settlement", "hold_settled", "status", "last_seen"]
        if participant.role != ParticipantRole.TICKET:
            ends = now + minute_length()
            ShowMinute.objects.create(
                participant=participant,
                minute=1,
                starts_at=now,
                ends_at=ends,
                amount=participant.rate,
                transfer=paid.transfer,
                created_at=now,
            )
            participant.paid_until = ends
            participant.minutes_billed = 1
            fields += ["paid_until", "minutes_billed"]
        participant.save(update_fields=fields)
        if participant.role != ParticipantRole.TICKET:
            low_funds_check(participant, now=now)
    return participant


def low_funds_check(participant: Participant, *, now: datetime) -> None:
    """Warn once when the wallet covers fewer than `warn_minutes` further minutes; clear the warning when it
    covers them again (so running low a second time warns again)."""
    warn_minutes = shows_config().warn_minutes
    if warn_minutes <= 0 or participant.rate <= 0:
        return
    balance = wallet_selectors.wallet_balance(participant.user)
    minutes_left = balance // participant.rate
    if minutes_left < warn_minutes:
        if participant.low_funds_warned_at is None:
            participant.low_funds_warned_at = now
            participant.save(update_fields=["low_funds_warned_at"])
            outbox_publish(
                topic=events.SHOW_LOW_FUNDS,
                payload={
                    "show_id": participant.show_id,
                    "participant_id": participant.pk,
                    "user_id": participant.user_id,
                    "balance": balance,
                    "rate": participant.rate,
                    "minutes_left": minutes_left,
                },
            )
    elif participant.low_funds_warned_at is not None:
        participant.low_funds_warned_at = None
        participant.save(update_fields=["low_funds_warned_at"])


def seat_close(participant: Participant, *, reason: str, now: datetime | None = None) -> Participant:
    """Take a seat out of the show: a HELD seat gets its hold back (RELEASED); an ACTIVE one LEFT, or DROPPED
    when its funds ran out — the minute it paid for is not refunded (paid before watched). A private show
    whose viewer leaves, or a group show whose last viewer leaves, ends. Inside a transaction."""
    now = now or timezone.now()
    if participant.status == ParticipantStatus.HELD:
        _release(participant, status=ParticipantStatus.RELEASED, reason=reason, now=now)
        return participant
    if participant.status != ParticipantStatus.ACTIVE:
        return participant
    participant.status = ParticipantStatus.DROPPED if reason == "funds" else ParticipantStatus.LEFT
    participant.left_at = now
    participant.leave_reason = reason
    participant.save(update_fields=["status", "left_at", "leave_reason"])
    _publish_left(participant)
    show = participant.show
    if participant.role == ParticipantRole.VIEWER and show.status == ShowStatus.LIVE and reason != "ended":
        remaining = Participant.objects.filter(
            show=show, role=ParticipantRole.VIEWER, status=ParticipantStatus.ACTIVE
        ).exists()
        if show.kind == ShowKind.PRIVATE or (show.kind == ShowKind.GROUP and not remaining):
            show_finish(lock_show(show.pk), status=ShowStatus.ENDED, reason=f"viewer_{reason}", now=now)
    return participant


def show_finish(show: Show, *, status: str, reason: str, now: datetime | None = None) -> Show:
    """End/decline/cancel/expire `show` (locked): held seats get their holds back, active seats leave."""
    now = now or timezone.now()
    if show.status in ENDED_STATUSES:
        return show
    with transaction.atomic():
        show.status = status
        show.ended_at = now
        show.end_reason = reason
        show.save(update_fields=["status", "ended_at", "end_reason"])
        seat_reason = {
            ShowStatus.DECLINED: "declined",
            ShowStatus.CANCELLED: "cancelled",
            ShowStatus.EXPIRED: "expired",
        }.get(ShowStatus(status), "ended")
        for seat in Participant.objects.filter(
            show=show, status__in=[ParticipantStatus.HELD, ParticipantStatus.ACTIVE]
        ).select_related("hold", "user", "show"):
            seat.show = show
            seat_close(seat, reason=seat_reason, now=now)
        publish_show(show, reason=reason)
    return show


def show_go_live(show: Show, *, now: datetime | None = None) -> Show:
    """Turn `show` (locked) LIVE and start every held seat. RoomBusy if the room is already in a show."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            show.status = ShowStatus.LIVE
            show.started_at = now
            show.save(update_fields=["status", "started_at"])
    except IntegrityError:
        raise errors.RoomBusy() from None
    for seat in Participant.objects.filter(show=show, status=ParticipantStatus.HELD).select_related("hold", "user"):
        seat.show = show
        seat_activate(seat, now=now)
    publish_show(show)
    return show
