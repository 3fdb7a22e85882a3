"""Reads of shows. `room_show_status` is what rooms' and web's pages call; `show_statement` the statement."""

from stagedoor.shows.selectors.config import bill_ahead, discounted_rate, minute_length, shows_config
from stagedoor.shows.selectors.shows import (
    RoomShowStatus,
    access_own_show,
    access_show,
    active_count,
    can_read_any,
    open_show_of_room,
    participant_access_until,
    participant_of,
    pending_requests,
    room_show_status,
    scheduled_tickets,
    seated_count,
    seats_of,
    settings_of,
    show_get,
    shows_of_performer,
)
from stagedoor.shows.selectors.statements import Statement, StatementLine, show_statement

__all__ = [
    "RoomShowStatus",
    "Statement",
    "StatementLine",
    "access_own_show",
    "access_show",
    "active_count",
    "bill_ahead",
    "can_read_any",
    "discounted_rate",
    "minute_length",
    "open_show_of_room",
    "participant_access_until",
    "participant_of",
    "pending_requests",
    "room_show_status",
    "scheduled_tickets",
    "seated_count",
    "seats_of",
    "settings_of",
    "show_get",
    "show_statement",
    "shows_config",
    "shows_of_performer",
]
