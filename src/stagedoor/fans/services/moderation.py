"""Private messages and trust & safety: a held message becomes a case (opened from the outbox, like chat holds),
and the case's decision comes back through `moderation.decided`:

- **dismiss** (no rule broken) delivers the message now, charging its quoted price (`pm:<message id>`, the key a
  priced send uses, so a replayed decision never pays twice). A sender whose wallet is short by then is told it
  was not delivered (`unpaid`), and nothing is charged.
- any **restrictive** action (remove the message, suspend the sender…) rejects it: never delivered, never charged.
- an **escalation** leaves it held; an appeal upheld against a rejection (`reverse`) delivers it like a dismissal.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from stagedoor.core.outbox import outbox_publish
from stagedoor.fans import events
from stagedoor.fans.models import Message, Thread
from stagedoor.fans.services.messages import message_charge
from stagedoor.moderation import policies as P
from stagedoor.moderation.models import Case
from stagedoor.moderation.services import case_open
from stagedoor.wallet import errors as wallet_errors

EVIDENCE_KEY = "private_message"


def case_open_for_held_message(*, message_id: str, reason: str) -> Any:
    """Open (or join) the case of a held private message; None if it is gone or no longer held. The evidence carries
    the text (moderators must read it to decide) under `private_message`, not the chat `message` link."""
    message = Message.objects.select_related("thread", "sender").filter(pk=message_id).first()
    if message is None or message.status != Message.Status.HELD:
        return None
    category = reason if reason in P.CATEGORIES else "other"
    case, _ = case_open(
        source=Case.Source.CHAT_HOLD,
        category=category,
        subject=message.sender,
        evidence={
            EVIDENCE_KEY: {
                "id": message.pk,
                "thread": message.thread_id,
                "to": str(
                    message.thread.performer_id if message.sender_id == message.thread.fan_id else message.thread.fan_id
                ),
                "text": message.body[:2000],
            },
            "classifier": {"reason": reason[:200]},
        },
        dedupe_key=f"pm:{message.pk}",
    )
    return case


def _message_id_of_case(case_id: str) -> str | None:
    evidence = Case.objects.filter(pk=case_id).values_list("evidence", flat=True).first()
    pm = evidence.get(EVIDENCE_KEY) if isinstance(evidence, dict) else None
    message_id = pm.get("id") if isinstance(pm, dict) else None
    return str(message_id) if message_id else None


def held_message_decided(*, case_id: str, action: str) -> Message | None:
    """Carry out a moderation decision on the held private message of case `case_id` (see the module docstring).
    Returns the message as it is now, or None when the case is not about a private message. Idempotent: the message
    row is locked and only a message still waiting for this decision changes."""
    message_id = _message_id_of_case(case_id)
    if message_id is None:
        return None
    waiting: set[Message.Status]
    if action == P.DISMISS:
        waiting = {Message.Status.HELD}
    elif action == P.REVERSE:
        waiting = {Message.Status.REJECTED}
    elif action in P.RESTRICTIVE:
        return _reject(message_id)
    else:  # escalated: still held, a supervisor decides
        return Message.objects.filter(pk=message_id).first()
    return _deliver(message_id, waiting)


def _reject(message_id: str) -> Message | None:
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is not None and message.status == Message.Status.HELD:
            message.status = Message.Status.REJECTED
            message.save(update_fields=["status"])
    return message


def _deliver(message_id: str, waiting: set[Message.Status]) -> Message | None:
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("thread__performer", "sender")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.status not in waiting:
            return message
        thread = message.thread
        price = message.price_quoted if message.sender_id == thread.fan_id else 0
        if price:
            try:
                with transaction.atomic():
                    message_charge(message, payer=message.sender, payee=thread.performer, price=price)
            except (wallet_errors.InsufficientBalance, wallet_errors.PayeeRefused, wallet_errors.NotAPerformer):
                message.status = Message.Status.UNPAID
                message.save(update_fields=["status"])
                return message
        message.status = Message.Status.VISIBLE
        message.price_paid = price
        message.save(update_fields=["status", "price_paid"])
        Thread.objects.filter(pk=thread.pk).update(last_message_at=timezone.now())
        outbox_publish(
            topic=events.MESSAGE_SENT,
            payload={
                "message_id": message.pk,
                "thread_id": thread.pk,
                "sender_id": str(message.sender_id),
                "status": message.status,
            },
        )
    return message
