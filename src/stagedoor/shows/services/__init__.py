"""Every write of shows. Keyword-only, atomic; tokens move only through the wallet's charge and holds."""

from stagedoor.shows.services.billing import BillOutcome, bill_due, participant_bill, participant_heartbeat
from stagedoor.shows.services.kinds import (
    group_join,
    group_open,
    group_start,
    participant_leave,
    show_end,
    spy_join,
    ticket_buy,
    ticket_cancel,
    ticket_schedule,
    ticket_start,
)
from stagedoor.shows.services.private import (
    private_accept,
    private_cancel,
    private_decline,
    private_request,
    requests_expire,
)
from stagedoor.shows.services.settings import show_settings_update

__all__ = [
    "BillOutcome",
    "bill_due",
    "group_join",
    "group_open",
    "group_start",
    "participant_bill",
    "participant_heartbeat",
    "participant_leave",
    "private_accept",
    "private_cancel",
    "private_decline",
    "private_request",
    "requests_expire",
    "show_end",
    "show_settings_update",
    "spy_join",
    "ticket_buy",
    "ticket_cancel",
    "ticket_schedule",
    "ticket_start",
]
