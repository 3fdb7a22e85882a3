"""Outbox topics the support desk publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class TicketOpened(TypedDict):
    ticket_id: str
    category: str
    queue: str
    priority: str
    channel: str


class TicketReplied(TypedDict):
    ticket_id: str
    message_id: str
    author_kind: str  # requester | agent


class TicketEscalated(TypedDict):
    ticket_id: str
    from_queue: str
    to_queue: str


class TicketResolved(TypedDict):
    ticket_id: str


class SlaBreached(TypedDict):
    ticket_id: str
    queue: str
    target: str  # first_response | resolution


TICKET_OPENED: Topic[TicketOpened] = Topic("support.ticket_opened")
TICKET_REPLIED: Topic[TicketReplied] = Topic("support.ticket_replied")
TICKET_ESCALATED: Topic[TicketEscalated] = Topic("support.ticket_escalated")
TICKET_RESOLVED: Topic[TicketResolved] = Topic("support.ticket_resolved")
SLA_BREACHED: Topic[SlaBreached] = Topic("support.sla_breached")
