"""Carrying out a decision through the apps that own what it touches, and undoing it when an appeal is upheld.

Chat messages, time-outs and room bans go through `stagedoor.chat.services` (audited and announced to the room
there); a broadcast is ended through the ingest running in this process (`IngestServer.end_stream`); a
suspension sets `is_active=False` (every session and API token stops working) and is kept as a `Sanction`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import STAFF_ROLES
from stagedoor.chat import protocol as chat_protocol
from stagedoor.chat import services as chat_services
from stagedoor.chat.models import ChatMessage
from stagedoor.moderation import policies as P
from stagedoor.moderation.errors import ActionNotApplicable
from stagedoor.moderation.models import Case, Decision, Sanction
from stagedoor.streaming.local_ingest import current_ingest
from stagedoor.verification import selectors as verification_selectors
from stagedoor.verification import services as verification_services

log = logging.getLogger("stagedoor.moderation")
_PRIVATE_MESSAGE = "private_message"  # the evidence key of a held private message's case (opened by fans)


@dataclass
class Enforcement:
    result: dict[str, str] = field(default_factory=dict)  # recorded with the decision
    sanctions: list[tuple[str, datetime | None]] = field(default_factory=list)  # (Sanction.Kind, ends_at)
    end_date: datetime | None = None  # when the restriction ends (statement of reasons)


def _fresh_message(case: Case) -> ChatMessage | None:
    if case.message_id is None:
        return None
    return ChatMessage.objects.select_related("room").filter(pk=case.message_id).first()


def check_applicable(case: Case, action: str) -> None:
    """Raise ActionNotApplicable when the case lacks what the action needs."""
    subject: User | None = case.subject
    if action == P.DELETE_MESSAGE and case.message_id is None and _PRIVATE_MESSAGE not in (case.evidence or {}):
        raise ActionNotApplicable("This case is not about a chat message; there is nothing to delete.")
    if action in (P.TIMEOUT, P.BAN_FROM_ROOM):
        if subject is None or case.room is None:
            raise ActionNotApplicable("A time-out or a room ban needs a person and a room.")
        if case.room.performer_id == subject.pk:
            raise ActionNotApplicable("The performer cannot be banned or timed out of their own room.")
    if action == P.SUSPEND_ACCOUNT:
        if subject is None:
            raise ActionNotApplicable("This case is not about an account.")
        if subject.role in STAFF_ROLES:
            raise ActionNotApplicable("Staff accounts are not suspended from the review queue.")
    if action == P.END_STREAM and case.room is None:
        raise ActionNotApplicable("This case is not about a room's broadcast.")
    if action == P.REQUEST_VERIFICATION and (subject is None or not verification_selectors.is_on_record(subject)):
        raise ActionNotApplicable("Only a performer with an identity on record can be asked to verify again.")


def enforce(*, actor: User, case: Case, action: str, seconds: int | None, reason: str, ip: str = "") -> Enforcement:
    """Apply `action` (already checked with `check_applicable`). Runs inside the decision's transaction: a
    failure of the owning app's service rolls the whole decision back."""
    done = Enforcement()
    now = timezone.now()
    message = _fresh_message(case)
    if message is not None and message.status == ChatMessage.Status.HELD:
        approve = action == P.DISMISS  # dismissing a hold lets the message into the room; anything else rejects it
        chat_services.chat_held_decide(actor=actor, room=message.room, message_id=message.pk, approve=approve, ip=ip)
        done.result["message"] = "approved" if approve else "rejected"
    elif action == P.DELETE_MESSAGE and message is not None:
        if message.status == ChatMessage.Status.VISIBLE:
            command = chat_protocol.Delete(message_id=message.pk)
            chat_services.chat_moderate(actor=actor, room=message.room, command=command, ip=ip)
            done.result["message"] = "deleted"
        elif message.status == ChatMessage.Status.BLOCKED:
            done.result["message"] = "already_blocked"  # the classifier kept it out of the room
        else:
            done.result["message"] = "already_deleted"
    elif _PRIVATE_MESSAGE in (case.evidence or {}):
        # a held private message: fans delivers it on a dismissal, or keeps it out, from `moderation.decided`
        done.result["private_message"] = "approved" if action == P.DISMISS else "rejected"
    elif action == P.DELETE_MESSAGE:
        done.result["message"] = "gone"  # the chat row was removed with its room
    subject = case.subject
    if action == P.TIMEOUT:
        assert subject is not None and case.room is not None and seconds is not None
        timeout = chat_protocol.Timeout(user_id=str(subject.pk), seconds=seconds, reason=reason[:300])
        chat_services.chat_moderate(actor=actor, room=case.room, command=timeout, ip=ip)
        done.end_date = now + timedelta(seconds=seconds)
        done.sanctions.append((Sanction.Kind.TIMEOUT, done.end_date))
        done.result["chat"] = "timed_out"
    elif action == P.BAN_FROM_ROOM:
        assert subject is not None and case.room is not None
        ban = chat_protocol.Ban(user_id=str(subject.pk), reason=reason[:300])
        chat_services.chat_moderate(actor=actor, room=case.room, command=ban, ip=ip)
        done.sanctions.append((Sanction.Kind.ROOM_BAN, None))
        done.result["chat"] = "banned"
    elif action == P.SUSPEND_ACCOUNT:
        assert subject is not None
        User.objects.filter(pk=subject.pk).update(is_active=False)
        done.sanctions.append((Sanction.Kind.SUSPENSION, None))
        done.result["account"] = "suspended"
    elif action == P.REQUEST_VERIFICATION:
        assert subject is not None
        request = verification_services.reverification_request(
            user_id=subject.pk,
            source="moderation",
            reason=f"Trust & safety case {case.pk}: {reason or P.ACTION_TITLES[action]}"[:500],
            actor=actor,
            ip=ip,
        )
        done.result["verification"] = f"requested_by_{request.deadline:%Y-%m-%d}"
    elif action == P.END_STREAM:
        assert case.room is not None
        slug = case.room.slug
        done.result["stream"] = end_stream_status()
        transaction.on_commit(lambda: end_stream_now(slug, reason))
    return done


def end_stream_status() -> str:
    """What ending a stream from this process will do: `requested`, or why it cannot."""
    return "requested" if current_ingest() is not None else "no_ingest_in_this_process"


def end_stream_now(room: str, reason: str) -> bool:
    """Ask the ingest in this process to end the room's broadcast (after the decision committed). The ingest
    lives on its own event loop: the call is handed to that loop. True when handed over."""
    server = current_ingest()
    loop = server.loop if server is not None else None
    if server is None or loop is None or loop.is_closed():
        log.warning("no ingest here to end the stream", extra={"room": room})
        return False
    outcome = server.end_stream(room, reason)
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        loop.create_task(outcome)
    else:
        asyncio.run_coroutine_threadsafe(outcome, loop)
    return True


def sanctions_write(decision: Decision, enforcement: Enforcement) -> list[Sanction]:
    assert decision.subject_id is not None or not enforcement.sanctions
    return [
        Sanction.objects.create(
            user_id=decision.subject_id, kind=kind, room=decision.room, decision=decision, ends_at=ends_at
        )
        for kind, ends_at in enforcement.sanctions
    ]


def reverse(*, actor: User, original: Decision, reversal: Decision, ip: str = "") -> dict[str, str]:
    """Undo what `original` did (an upheld appeal): restore the message (a blocked one enters the room now), lift
    the ban or time-out, reactivate the account. A broadcast that was ended stays ended (the moment has passed); the
    record says so."""
    undone: dict[str, str] = {}
    case = original.case
    message = _fresh_message(case)
    removed = (ChatMessage.Status.DELETED, ChatMessage.Status.BLOCKED)
    if message is not None and message.status in removed and original.action != P.DISMISS:
        # a blocked line was never shown: restored, it enters the room's timeline now (chat announces it)
        was = message.status
        chat_services.chat_message_restore(actor=actor, room=message.room, message_id=message.pk, ip=ip)
        undone["message"] = "restored" if was == ChatMessage.Status.DELETED else "restored_into_room"
    if original.action in (P.TIMEOUT, P.BAN_FROM_ROOM) and original.subject_id and original.room is not None:
        unban = chat_protocol.Unban(user_id=str(original.subject_id))
        chat_services.chat_moderate(actor=actor, room=original.room, command=unban, ip=ip)
        undone["chat"] = "lifted"
    now = timezone.now()
    for sanction in original.sanctions.filter(lifted_at__isnull=True):
        sanction.lifted_at = now
        sanction.lifted_by = reversal
        sanction.save(update_fields=["lifted_at", "lifted_by"])
    if original.action == P.SUSPEND_ACCOUNT and original.subject_id:
        still = Sanction.objects.filter(
            user_id=original.subject_id, kind=Sanction.Kind.SUSPENSION, lifted_at__isnull=True
        ).exists()
        if not still:
            User.objects.filter(pk=original.subject_id).update(is_active=True)
            undone["account"] = "reactivated"
    if original.action == P.END_STREAM:
        undone["stream"] = "cannot_be_restored"
    return undone


def sanctions_expire(*, now: datetime | None = None) -> int:
    """Lift sanctions whose end has passed (a timed suspension reactivates the account). Returns how many."""
    now = now or timezone.now()
    lifted = 0
    with transaction.atomic():
        due = list(Sanction.objects.select_for_update().filter(lifted_at__isnull=True, ends_at__lte=now))
        for sanction in due:
            sanction.lifted_at = now
            sanction.save(update_fields=["lifted_at"])
            lifted += 1
        for user_id in {s.user_id for s in due if s.kind == Sanction.Kind.SUSPENSION}:
            active = Sanction.objects.filter(user_id=user_id, kind=Sanction.Kind.SUSPENSION, lifted_at__isnull=True)
            if not active.exists():
                User.objects.filter(pk=user_id).update(is_active=True)
    return lifted
