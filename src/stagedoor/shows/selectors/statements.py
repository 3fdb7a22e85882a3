"""A show's statement: every billed minute (and every ticket captured), for the viewer who paid it, the
performer, or staff who may read any show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stagedoor.shows import errors
from stagedoor.shows.models import Participant, ParticipantRole, Show, ShowMinute
from stagedoor.shows.selectors.shows import can_read_any, show_get


@dataclass(frozen=True)
class StatementLine:
    participant_id: str
    user_id: str
    user_login: str
    role: str
    minute: int | None  # None: a ticket (paid once, not per minute)
    starts_at: datetime | None
    ends_at: datetime | None
    amount: int
    transfer_id: str


@dataclass(frozen=True)
class Statement:
    show: Show
    lines: list[StatementLine]
    total: int
    scope: str  # "own" (the viewer's seat) or "all" (performer, staff)


def _ticket_lines(participants: list[Participant]) -> list[StatementLine]:
    lines = []
    for p in participants:
        capture = p.settlement
        if p.role != ParticipantRole.TICKET or capture is None or not (capture.data or {}).get("amount"):
            continue
        lines.append(
            StatementLine(
                participant_id=p.pk,
                user_id=p.user_id,
                user_login=p.user.login,
                role=p.role,
                minute=None,
                starts_at=p.show.started_at,
                ends_at=None,
                amount=int((capture.data or {}).get("amount", 0)),
                transfer_id=capture.pk,
            )
        )
    return lines


def show_statement(actor: Any, show_id: str) -> Statement:
    """Every minute of `show_id`: all of them for its performer and staff (SHOWS_READ_ANY), the actor's own
    for a participant; anyone else ShowNotFound."""
    show = show_get(show_id)
    seats = Participant.objects.filter(show=show).select_related("user", "show", "settlement")
    if show.performer_id == actor.pk or can_read_any(actor):
        scope = "all"
    elif seats.filter(user_id=actor.pk).exists():
        scope = "own"
        seats = seats.filter(user_id=actor.pk)
    else:
        raise errors.ShowNotFound()
    participants = list(seats)
    minutes = (
        ShowMinute.objects.filter(participant__in=participants)
        .select_related("participant__user")
        .order_by("participant__joined_at", "participant_id", "minute")
    )
    lines = [
        StatementLine(
            participant_id=m.participant_id,
            user_id=m.participant.user_id,
            user_login=m.participant.user.login,
            role=m.participant.role,
            minute=m.minute,
            starts_at=m.starts_at,
            ends_at=m.ends_at,
            amount=m.amount,
            transfer_id=m.transfer_id,
        )
        for m in minutes
    ]
    lines.extend(_ticket_lines(participants))
    return Statement(show=show, lines=lines, total=sum(line.amount for line in lines), scope=scope)
