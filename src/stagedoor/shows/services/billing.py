"""Per-minute billing: a minute is paid BEFORE it is watched.

Minute 1 is captured from the seat's hold when the seat starts (`seats.seat_activate`). Minute n+1 is
charged by the biller once `paid_until - now <= bill_ahead` — ONE transaction writes the ledger charge
(idempotency key `show:<participant>:<n+1>`), the `ShowMinute` row (unique per participant and minute)
and the participant's `paid_until`/`minutes_billed`, under a lock on the participant's row. A biller killed
at any instant leaves either all of it or none of it; the restarted biller continues from `minutes_billed`
and can never charge a minute twice (the unique row, the ledger key and the lock each forbid it).

Resuming after a crash: minute n+1 starts at `max(paid_until, now)`. If `paid_until` is already in the past
(the biller was down), the next minute starts NOW — never back-dated: the viewer's media grant lapsed at
`paid_until`, so they were not in the show meanwhile and are not charged for that gap.

Only a seat still in the show is charged: ACTIVE, in a LIVE show, with a page heartbeat (`last_seen`) within
`heartbeat_s`. A seat whose heartbeat is stale leaves (reason "gone") instead; a seat whose wallet cannot
pay the next minute keeps it until `paid_until` (retried every pass: a top-up in those seconds continues the
show) and is then DROPPED (reason "funds") — never cut short of a minute it paid for. A wallet covering
fewer than `warn_minutes` further minutes gets one low-funds warning (an outbox event the show page shows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from stagedoor.shows.models import Participant, ParticipantRole, ParticipantStatus, ShowMinute, ShowStatus
from stagedoor.shows.selectors.config import bill_ahead, minute_length, shows_config
from stagedoor.shows.services.seats import lock_participant, low_funds_check, seat_close
from stagedoor.wallet import errors as wallet_errors
from stagedoor.wallet import services as wallet

PER_MINUTE_ROLES = (ParticipantRole.VIEWER, ParticipantRole.SPY)


@dataclass
class BillOutcome:
    charged: list[tuple[str, int]] = field(default_factory=list)  # (participant id, minute)
    dropped: list[str] = field(default_factory=list)  # funds ran out
    gone: list[str] = field(default_factory=list)  # heartbeat stale
    short: list[str] = field(default_factory=list)  # cannot pay the next minute yet; dropped when theirs ends

    @property
    def touched(self) -> int:
        return len(self.charged) + len(self.dropped) + len(self.gone)


def due_participants(*, now: datetime) -> list[str]:
    """Ids of per-minute seats whose next minute is due (paid until within the bill-ahead window)."""
    return list(
        Participant.objects.filter(
            status=ParticipantStatus.ACTIVE,
            role__in=PER_MINUTE_ROLES,
            show__status=ShowStatus.LIVE,
            paid_until__lte=now + bill_ahead(),
        )
        .order_by("paid_until")
        .values_list("pk", flat=True)
    )


def participant_bill(*, participant_id: str, outcome: BillOutcome | None = None) -> BillOutcome:
    """Charge `participant_id`'s next minute if it is due and they are still in the show (see the module)."""
    outcome = outcome if outcome is not None else BillOutcome()
    with transaction.atomic():
        participant = lock_participant(participant_id)
        if participant is None or participant.status != ParticipantStatus.ACTIVE:
            return outcome
        if participant.role not in PER_MINUTE_ROLES or participant.paid_until is None:
            return outcome
        show = participant.show
        if show.status != ShowStatus.LIVE:
            return outcome
        now = timezone.now()
        if participant.paid_until - now > bill_ahead():
            return outcome  # not due (another biller charged it while we waited for the lock)
        heartbeat = timedelta(seconds=shows_config().heartbeat_s)
        if participant.last_seen is None or now - participant.last_seen > heartbeat:
            seat_close(participant, reason="gone", now=now)
            outcome.gone.append(participant.pk)
            return outcome
        minute = participant.minutes_billed + 1
        starts = max(participant.paid_until, now)  # never back-dated (module docstring)
        ends = starts + minute_length()
        try:
            with transaction.atomic():
                paid = wallet.charge(
                    payer=participant.user,
                    payee=show.performer,
                    amount=participant.rate,
                    key=f"show:{participant.pk}:{minute}",
                    item="show_minute",
                    ref=participant.pk,
                    memo=f"{show.get_kind_display()} {show.pk}, minute {minute}",
                )
        except wallet_errors.InsufficientBalance:
            if now < participant.paid_until:
                # The minute already paid for is theirs to the end: keep the seat (and its media) until
                # `paid_until`, retrying each pass — tokens bought in those seconds continue the show.
                outcome.short.append(participant.pk)
                return outcome
            seat_close(participant, reason="funds", now=now)
            outcome.dropped.append(participant.pk)
            return outcome
        if not paid.written:
            # The key was used but no minute row says so: only possible if someone wrote ledger rows outside
            # this transaction. Refuse loudly rather than record a minute nobody paid in this pass.
            raise wallet_errors.LedgerInvariantBroken(
                f"show minute {participant.pk}:{minute} was charged without its minute record"
            )
        ShowMinute.objects.create(
            participant=participant,
            minute=minute,
            starts_at=starts,
            ends_at=ends,
            amount=participant.rate,
            transfer=paid.transfer,
            created_at=now,
        )
        participant.paid_until = ends
        participant.minutes_billed = minute
        participant.save(update_fields=["paid_until", "minutes_billed"])
        low_funds_check(participant, now=now)
        outcome.charged.append((participant.pk, minute))
    return outcome


def bill_due(*, now: datetime | None = None) -> BillOutcome:
    """One pass: charge every due minute (or drop/let go the seats that cannot be charged)."""
    outcome = BillOutcome()
    for participant_id in due_participants(now=now or timezone.now()):
        participant_bill(participant_id=participant_id, outcome=outcome)
    return outcome


def participant_heartbeat(*, participant: Participant) -> Participant:
    """The show page is still open: record it (the biller charges only seats whose page is alive)."""
    now = timezone.now()
    Participant.objects.filter(pk=participant.pk).update(last_seen=now)
    participant.last_seen = now
    return participant
