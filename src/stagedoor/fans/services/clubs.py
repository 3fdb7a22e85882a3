"""Fan clubs: a performer's settings, joining, cancelling, and the renewal pass.

Money moves only through `wallet.services.charge`, keyed `fanclub:<membership id>:<period index>`: a period is
paid at most once whatever replays (a retried request, a renewal pass run twice or crashed half-way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.roles import Role
from stagedoor.chat import codes as C
from stagedoor.chat.protocol import SetMode
from stagedoor.chat.selectors import chat_room_state
from stagedoor.chat.services import chat_moderate
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish
from stagedoor.fans import errors, events, selectors
from stagedoor.fans.models import FanClub, Membership
from stagedoor.rooms.selectors import room_of
from stagedoor.wallet import errors as wallet_errors
from stagedoor.wallet.services import charge

DISCOUNT_BP_MAX = 5_000  # at most half off show rates


def _cfg() -> Any:
    return settings.STAGEDOOR.fans


def _period() -> timedelta:
    return timedelta(days=_cfg().period_days)


def _grace() -> timedelta:
    return timedelta(days=_cfg().grace_days)


def _require_performer(user: Any) -> None:
    if getattr(user, "role", None) != Role.PERFORMER:
        raise errors.NotAPerformer()


def club_configure(
    *,
    performer: Any,
    enabled: bool | None = None,
    price: int | None = None,
    discount_bp: int | None = None,
    message_price: int | None = None,
) -> FanClub:
    """Create or change `performer`'s fan club; fields left None keep their value. Price changes apply from each
    member's next renewal."""
    _require_performer(performer)
    cfg = _cfg()
    with transaction.atomic():
        club, _ = FanClub.objects.select_for_update().get_or_create(performer=performer)
        if price is not None:
            if not cfg.price_min <= price <= cfg.price_max:
                raise errors.InvalidPrice(
                    f"The monthly price must be between {cfg.price_min} and {cfg.price_max} tokens.",
                    extra={"fields": {"price": ["out of range"]}, "minimum": cfg.price_min, "maximum": cfg.price_max},
                )
            club.price = price
        if discount_bp is not None:
            if not 0 <= discount_bp <= DISCOUNT_BP_MAX:
                raise errors.InvalidPrice(
                    f"The show discount must be between 0 and {DISCOUNT_BP_MAX // 100}%.",
                    extra={"fields": {"discount_bp": ["out of range"]}, "minimum": 0, "maximum": DISCOUNT_BP_MAX},
                )
            club.discount_bp = discount_bp
        if message_price is not None:
            if not 0 <= message_price <= cfg.message_price_max:
                raise errors.InvalidPrice(
                    f"The message price must be between 0 and {cfg.message_price_max} tokens.",
                    extra={"fields": {"message_price": ["out of range"]}, "maximum": cfg.message_price_max},
                )
            club.message_price = message_price
        if enabled is not None:
            if enabled and club.price == 0:
                raise errors.InvalidPrice(
                    "Set a monthly price before opening the fan club.",
                    extra={"fields": {"price": ["required"]}},
                )
            club.enabled = enabled
        club.save()
    return club


def _publish(m: Membership, step: str) -> None:
    outbox_publish(
        topic=events.MEMBERSHIP_CHANGED,
        payload={
            "membership_id": m.pk,
            "club_id": m.club_id,
            "user_id": str(m.user_id),
            "status": m.status,
            "period_index": m.period_index,
            "step": step,
        },
    )


def _charge_period(m: Membership, club: FanClub, index: int, price: int) -> None:
    charge(
        payer=m.user,
        payee=club.performer,
        amount=price,
        key=f"fanclub:{m.pk}:{index}",
        item="fanclub",
        ref=m.pk,
        memo=f"fan club, period {index + 1}",
    )


def membership_join(*, user: Any, performer_id: Any, now: datetime | None = None) -> Membership:
    """Join (or rejoin after a lapse or an end) `performer_id`'s fan club: the first period is charged now.
    A cancelled membership still running is resumed instead, free. InsufficientBalance leaves nothing changed."""
    now = now or timezone.now()
    club = selectors.club_for_performer_id(performer_id)
    if user.pk == club.performer_id:
        raise errors.SelfJoin()
    if not club.enabled or club.price <= 0:
        raise errors.ClubClosed()
    with transaction.atomic():
        m = Membership.objects.select_for_update().select_related("user").filter(club=club, user=user).first()
        if m is not None and selectors.membership_in_good_standing(m, now):
            if m.cancel_at_period_end:
                m.cancel_at_period_end = False
                m.save(update_fields=["cancel_at_period_end", "updated_at"])
                _publish(m, "resumed")
                return m
            raise errors.AlreadyMember()
        if m is None:
            m = Membership(club=club, user=user, period_index=0, current_period_start=now, current_period_end=now)
            m.save()
            index = 0
        else:
            index = m.period_index + 1
        m.club = club
        _charge_period(m, club, index, club.price)
        m.period_index = index
        m.status = Membership.Status.ACTIVE
        m.current_period_start = now
        m.current_period_end = now + _period()
        m.grace_until = None
        m.cancel_at_period_end = False
        m.last_price = club.price
        m.save()
        _publish(m, "joined")
    return m


def membership_cancel(*, user: Any, performer_id: Any) -> Membership:
    """Stop renewing; the perks last until the end of the paid period. A membership in grace ends now."""
    club = selectors.club_for_performer_id(performer_id)
    with transaction.atomic():
        m = Membership.objects.select_for_update().filter(club=club, user=user).first()
        if m is None or m.status in (Membership.Status.LAPSED, Membership.Status.ENDED):
            raise errors.NotMember()
        if m.status == Membership.Status.GRACE:
            m.status = Membership.Status.ENDED
            m.grace_until = None
            m.save(update_fields=["status", "grace_until", "updated_at"])
            _publish(m, "ended")
            return m
        m.cancel_at_period_end = True
        m.save(update_fields=["cancel_at_period_end", "updated_at"])
        _publish(m, "cancelled")
    return m


@dataclass
class RenewalPass:
    renewed: int = 0
    grace: int = 0
    lapsed: int = 0
    ended: int = 0
    waiting: int = 0  # in grace, still short, still within grace


def _renew_one(membership_id: str, now: datetime, tally: RenewalPass) -> None:
    with transaction.atomic():
        m = (
            Membership.objects.select_for_update()
            .select_related("club", "club__performer", "user")
            .filter(pk=membership_id)
            .first()
        )
        if m is None:
            return
        club = m.club
        if m.status == Membership.Status.ACTIVE:
            if m.current_period_end > now:
                return  # someone else renewed it (a replayed or concurrent pass)
            if m.cancel_at_period_end or not club.enabled or club.price <= 0:
                m.status = Membership.Status.ENDED
                m.save(update_fields=["status", "updated_at"])
                _publish(m, "ended")
                tally.ended += 1
                return
        elif m.status == Membership.Status.GRACE:
            if not club.enabled or club.price <= 0:
                m.status = Membership.Status.ENDED
                m.grace_until = None
                m.save(update_fields=["status", "grace_until", "updated_at"])
                _publish(m, "ended")
                tally.ended += 1
                return
        else:
            return
        index = m.period_index + 1
        # The next period follows the paid one without a gap (grace is credit, not free time), unless the job has
        # been away longer than the grace: then it starts now, so nobody pays for time they had no perks in.
        start = m.current_period_end if now - m.current_period_end <= _grace() else now
        try:
            with transaction.atomic():
                _charge_period(m, club, index, club.price)
        except (wallet_errors.InsufficientBalance, wallet_errors.PayeeRefused, wallet_errors.NotAPerformer):
            if m.status == Membership.Status.ACTIVE:
                m.grace_until = m.current_period_end + _grace()
                if m.grace_until > now:
                    m.status = Membership.Status.GRACE
                    m.save(update_fields=["status", "grace_until", "updated_at"])
                    _publish(m, "grace")
                    tally.grace += 1
                    return
            elif m.grace_until is not None and m.grace_until > now:
                tally.waiting += 1
                return
            m.status = Membership.Status.LAPSED
            m.grace_until = None
            m.save(update_fields=["status", "grace_until", "updated_at"])
            _publish(m, "lapsed")
            tally.lapsed += 1
            return
        m.period_index = index
        m.status = Membership.Status.ACTIVE
        m.current_period_start = start
        m.current_period_end = start + _period()
        m.grace_until = None
        m.last_price = club.price
        m.save()
        _publish(m, "renewed")
        tally.renewed += 1


def memberships_renew(*, now: datetime | None = None, limit: int = 1000) -> RenewalPass:
    """One renewal pass: every membership whose period ended is charged its next period, moved into grace, kept
    waiting in grace (retried each pass), lapsed when grace ran out, or ended (cancelled, or the club closed).
    Safe to run twice, or from two workers: each membership is locked and re-checked, and the charge is keyed."""
    now = now or timezone.now()
    tally = RenewalPass()
    due = list(
        Membership.objects.filter(status=Membership.Status.ACTIVE, current_period_end__lte=now)
        .order_by("current_period_end")
        .values_list("id", flat=True)[:limit]
    ) + list(Membership.objects.filter(status=Membership.Status.GRACE).values_list("id", flat=True)[:limit])
    for membership_id in due:
        _renew_one(membership_id, now, tally)
    return tally


def membership_staff_end(*, actor: Any, membership_id: str, reason: str) -> Membership:
    """Staff end a membership now (abuse, a chargeback); audited. No refund is made here."""
    with transaction.atomic():
        m = Membership.objects.select_for_update().filter(pk=membership_id).first()
        if m is None:
            raise errors.NotMember()
        m.status = Membership.Status.ENDED
        m.grace_until = None
        m.save(update_fields=["status", "grace_until", "updated_at"])
        audit_record(actor=actor, action="fans.membership_end", target=m, data={"reason": reason[:500]})
        _publish(m, "ended")
    return m


def fan_only_chat_set(*, performer: Any, on: bool) -> str:
    """Switch the performer's room chat to fans only (or back to everyone): chat's own mode change, recorded and
    announced like one made from the chat panel. Returns the audience now set."""
    _require_performer(performer)
    room = room_of(performer.pk)
    if room is None:
        raise errors.ClubNotFound("You have no room yet.")
    audience = C.AUDIENCE_FANS if on else C.AUDIENCE_EVERYONE
    chat_moderate(actor=performer, room=room, command=SetMode(audience=audience))
    return audience


def fan_only_chat_is_on(performer: Any) -> bool:
    room = room_of(performer.pk)
    return room is not None and chat_room_state(room).mode.audience == C.AUDIENCE_FANS
