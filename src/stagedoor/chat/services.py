"""Every chat write: message batches, moderation actions (audited and announced), hosts."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.chat import codes as C
from stagedoor.chat import protocol as P
from stagedoor.chat import runtime, selectors
from stagedoor.chat.errors import ChatForbidden, ChatInvalid, from_refusal
from stagedoor.chat.events import CHAT_MESSAGE_BLOCKED, CHAT_MESSAGE_HELD, ChatMessageBlocked, ChatMessageHeld
from stagedoor.chat.models import ChatHost, ChatMessage, ChatModerationAction, ChatRestriction, ChatRoomSettings
from stagedoor.chat.moderation import (
    ACTION_BAN,
    ACTION_DELETE,
    ACTION_MODE,
    ACTION_PURGE,
    ACTION_TIMEOUT,
    ACTION_UNBAN,
    PLATFORM_ROLES,
    PROTECTED_ROLES,
    ActionRefused,
    ModerationAction,
    plan_action,
)
from stagedoor.chat.pipeline.sink import STATUS_BLOCKED, STATUS_HELD, ChatRecord, DeletionRecord
from stagedoor.chat.ticket import ticket_sign
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish

log = logging.getLogger(__name__)


# --- tickets ---------------------------------------------------------------------------
def chat_ticket_issue(*, user: Any, room: Any) -> dict[str, Any]:
    """A short-lived signed ticket for the gateway, plus where to connect."""
    access = selectors.chat_access(user, room)
    authed = access.role != "anonymous"
    ticket = ticket_sign(
        key=runtime.ticket_key(),
        room=room.slug,
        user_id=str(user.pk) if authed else None,
        login=user.login if authed else None,
        role=access.role,
        perms=access.perms,
        flags=access.flags,
    )
    return {
        "ticket": ticket,
        "url": runtime.public_url(),
        "room": room.slug,
        "role": access.role,
        "perms": sorted(access.perms),
        "expires_in": 60,
    }


# --- message persistence (the gateway's BatchingSink writer) ---------------------------
def _dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


#: the stored status of each record status the gateway hands over (anything else is visible)
_STORED_STATUS = {STATUS_HELD: ChatMessage.Status.HELD, STATUS_BLOCKED: ChatMessage.Status.BLOCKED}


def chat_messages_write(*, records: list[ChatRecord], deletions: list[DeletionRecord]) -> int:
    """Store one batch: one query for the rooms, one bulk insert, one update per deletion. A held line
    publishes `chat.message_held`, a blocked one `chat.message_blocked` (trust & safety takes them from there);
    a deletion never touches a blocked line (it was never shown, and its record stays as the classifier left
    it)."""
    from stagedoor.rooms.models import Room

    slugs = {r.room for r in records} | {d.room for d in deletions}
    rooms = dict(Room.objects.filter(slug__in=slugs).values_list("slug", "id"))
    rows = [
        ChatMessage(
            id=r.message_id,
            room_id=rooms[r.room],
            seq=r.seq,
            user_id=r.user_id,
            login=r.login,
            role=r.role,
            text=r.text,
            status=_STORED_STATUS.get(r.status, ChatMessage.Status.VISIBLE),
            reason=r.reason[:200],
            ip=r.ip,  # type: ignore[misc]  # None when unknown (a nullable EncryptedTextField)
            created_at=_dt(r.ts),
        )
        for r in records
        if r.room in rooms
    ]
    with transaction.atomic():
        ChatMessage.objects.bulk_create(rows, ignore_conflicts=True)  # a retried batch is harmless
        for r in records:
            if r.status == STATUS_HELD and r.room in rooms:  # trust & safety opens a case (once per message)
                held = ChatMessageHeld(message_id=r.message_id, room=r.room, user_id=r.user_id, reason=r.reason[:200])
                outbox_publish(topic=CHAT_MESSAGE_HELD, payload=held)
            elif r.status == STATUS_BLOCKED and r.room in rooms:  # the record of an automated decision
                blocked = ChatMessageBlocked(
                    message_id=r.message_id, room=r.room, user_id=r.user_id, reason=r.reason[:200]
                )
                outbox_publish(topic=CHAT_MESSAGE_BLOCKED, payload=blocked)
        for d in deletions:
            if d.room in rooms:
                ChatMessage.objects.filter(room_id=rooms[d.room], pk__in=d.message_ids).exclude(
                    status=ChatMessage.Status.BLOCKED
                ).update(status=ChatMessage.Status.DELETED, deleted_at=_dt(d.ts), deleted_by_id=d.by_user_id or None)
    return len(rows)


# --- moderation ------------------------------------------------------------------------
def _restriction_replace(*, room: Any, target: Any, actor: Any, action: ModerationAction, now: datetime) -> None:
    """Lift the user's active restriction in the room and put the new one (if any) in its place.

    Two moderators acting at once both lift "nothing" and both insert; the partial unique
    constraint `chat_restr_one_active` refuses the second insert, which then lifts the
    restriction the first one committed and inserts again, so the later action wins and one
    restriction stays active.
    """
    for attempt in range(3):
        try:
            with transaction.atomic():
                ChatRestriction.objects.filter(room=room, user=target, lifted_at__isnull=True).update(lifted_at=now)
                if action.kind == ACTION_TIMEOUT:
                    assert action.seconds is not None
                    ChatRestriction.objects.create(
                        room=room,
                        user=target,
                        kind=ChatRestriction.Kind.TIMEOUT,
                        until=now + timedelta(seconds=action.seconds),
                        reason=action.reason,
                        created_by=actor,
                    )
                elif action.kind == ACTION_BAN:
                    ChatRestriction.objects.create(
                        room=room, user=target, kind=ChatRestriction.Kind.BAN, reason=action.reason, created_by=actor
                    )
            return
        except IntegrityError:
            if attempt == 2:
                raise


def chat_action_record(*, action: ModerationAction, ip: str = "") -> ModerationAction:
    """Check the action against the database, apply it, record and audit it (one
    transaction). The caller announces ``action.event()`` to the room after commit.
    Raises ActionRefused."""
    from stagedoor.accounts.models import User
    from stagedoor.rooms.models import Room

    room = Room.objects.filter(slug=action.room).select_related("performer").first()
    if room is None:
        raise ActionRefused(C.ERR_NOT_FOUND, "no such room")
    actor = User.objects.filter(pk=action.actor_id).first()
    access = selectors.chat_access(actor, room)
    if actor is None or not access.can_moderate:
        raise ActionRefused(C.ERR_FORBIDDEN, "you may not moderate this room")
    target = None
    if action.target_user_id is not None:
        target = User.objects.filter(pk=action.target_user_id).first()
        if target is None:
            raise ActionRefused(C.ERR_NOT_FOUND, "no such user")
        if selectors.user_chat_role(target, room) in PROTECTED_ROLES and access.role not in PLATFORM_ROLES:
            raise ActionRefused(C.ERR_FORBIDDEN, "only platform moderators may act on this user")
    now = timezone.now()
    message_ids = list(action.message_ids)
    with transaction.atomic():
        if action.kind == ACTION_DELETE:
            author = selectors.chat_message_author(room, message_ids[0])
            protected = author is not None and author[1] in PROTECTED_ROLES and author[0] != str(actor.pk)
            if protected and access.role not in PLATFORM_ROLES:
                raise ActionRefused(C.ERR_FORBIDDEN, "only platform moderators may act on this user")
            ChatMessage.objects.filter(room=room, pk__in=message_ids).exclude(status=ChatMessage.Status.BLOCKED).update(
                status=ChatMessage.Status.DELETED, deleted_at=now, deleted_by=actor
            )
        elif action.kind == ACTION_PURGE:
            assert target is not None
            stored = selectors.chat_recent_message_ids(room, str(target.pk))
            message_ids = sorted(set(message_ids) | set(stored))
            ChatMessage.objects.filter(room=room, pk__in=message_ids).exclude(status=ChatMessage.Status.BLOCKED).update(
                status=ChatMessage.Status.DELETED, deleted_at=now, deleted_by=actor
            )
        elif action.kind in (ACTION_TIMEOUT, ACTION_BAN, ACTION_UNBAN):
            assert target is not None
            _restriction_replace(room=room, target=target, actor=actor, action=action, now=now)
        elif action.kind == ACTION_MODE:
            m = action.mode
            ChatRoomSettings.objects.update_or_create(
                room=room,
                defaults={
                    "slow_seconds": m["slow_seconds"],
                    "audience": m["audience"],
                    "links_allowed": m["links"],
                    "emails_allowed": m["emails"],
                    "phones_allowed": m["phones"],
                },
            )
        record = ChatModerationAction.objects.create(
            room=room,
            actor=actor,
            actor_role=access.role,
            action=action.kind,
            target_user=target,
            message_ids=message_ids,
            duration_seconds=action.seconds,
            statement=action.reason,
            data={"mode": action.mode} if action.mode else {},
        )
        audit_record(
            actor=actor,
            action=f"chat.{action.kind}",
            target=room,
            ip=ip,
            data={
                "record": record.id,
                "target_user": str(target.pk) if target else None,
                "messages": message_ids,
                "seconds": action.seconds,
                "reason": action.reason,
                "mode": action.mode or None,
            },
        )
    if message_ids != list(action.message_ids):
        from dataclasses import replace

        action = replace(action, message_ids=tuple(message_ids))
    return action


def chat_moderate(*, actor: Any, room: Any, command: Any, ip: str = "") -> ModerationAction:
    """Moderate from the REST API / staff console: plan, record, announce after commit."""
    ticket = selectors.chat_ticket_for(actor, room)
    if not ticket.can_moderate:
        raise ChatForbidden()
    target_id = getattr(command, "user_id", None)
    try:
        action = plan_action(
            command,
            actor=ticket,
            room=room.slug,
            mode=selectors.chat_room_state(room).mode,
            ts=int(time.time() * 1000),
            target_role=None,  # checked against the database in chat_action_record
            message_author=(
                selectors.chat_message_author(room, command.message_id) if isinstance(command, P.Delete) else None
            ),
        )
        if target_id is not None and target_id == ticket.user_id:
            raise ActionRefused(C.ERR_FORBIDDEN, "you cannot moderate yourself")
        with transaction.atomic():
            action = chat_action_record(action=action, ip=ip)
            event = action.event(now=time.time())
            transaction.on_commit(lambda: _announce(room.slug, event))
    except ActionRefused as exc:
        raise from_refusal(exc.code, exc.message) from exc
    return action


def _announce(room: str, event: dict[str, Any]) -> None:
    try:
        runtime.publish_from_sync(room, event)
    except Exception:  # the record is stored; the room learns on its next open
        log.exception("chat announcement failed", extra={"room": room})


def chat_host_add(*, actor: Any, room: Any, user: Any) -> ChatHost:
    if actor.pk != room.performer_id and not role_has(actor.role, Perm.CHAT_MODERATE_ANY):
        raise ChatForbidden("Only the performer appoints chat hosts.")
    with transaction.atomic():
        host, created = ChatHost.objects.get_or_create(room=room, user=user, defaults={"added_by": actor})
        if created:
            audit_record(actor=actor, action="chat.host_add", target=room, data={"user": str(user.pk)})
    return host


def chat_host_remove(*, actor: Any, room: Any, user: Any) -> bool:
    if actor.pk != room.performer_id and not role_has(actor.role, Perm.CHAT_MODERATE_ANY):
        raise ChatForbidden("Only the performer removes chat hosts.")
    with transaction.atomic():
        deleted, _ = ChatHost.objects.filter(room=room, user=user).delete()
        if deleted:
            audit_record(actor=actor, action="chat.host_remove", target=room, data={"user": str(user.pk)})
    return bool(deleted)


def chat_words_set(*, actor: Any, room: Any, words: list[str]) -> ChatRoomSettings:
    """The room's blocked words; gateways that have the room open apply them at once (an internal
    ``room.settings`` event, never shown to viewers)."""
    if not selectors.chat_access(actor, room).can_moderate:
        raise ChatForbidden()
    clean = sorted({w.strip().lower() for w in words if w.strip()})[:500]
    with transaction.atomic():
        s, _ = ChatRoomSettings.objects.update_or_create(room=room, defaults={"blocked_words": "\n".join(clean)})
        audit_record(actor=actor, action="chat.words_set", target=room, data={"count": len(clean)})
        event = P.room_settings_event(ts=int(time.time() * 1000), words=clean)
        transaction.on_commit(lambda: _announce(room.slug, event))
    return s


#: bounds on what chat stores for the classifier (moderation validates the meaning)
CLASSIFIER_ACTIONS_MAX = 32
CLASSIFIER_NAME_MAX = 32


def chat_classifier_actions_set(*, room: Any, actions: Mapping[str, str]) -> ChatRoomSettings:
    """Store the room's classifier actions (category -> action, replaced whole) and hand them to the
    gateways that have the room open, after commit, as an internal ``room.settings`` event.

    Chat only stores strings: moderation's ``room_chat_policy_set`` authorizes, validates the
    categories and actions, and writes the audit row in the same transaction."""
    clean = {str(k): str(v) for k, v in actions.items()}
    if len(clean) > CLASSIFIER_ACTIONS_MAX or any(
        not k or len(k) > CLASSIFIER_NAME_MAX or len(v) > CLASSIFIER_NAME_MAX for k, v in clean.items()
    ):
        raise ChatInvalid("Too many classifier actions, or a name that is too long.")
    with transaction.atomic():
        s, _ = ChatRoomSettings.objects.update_or_create(room=room, defaults={"classifier_actions": clean})
        event = P.room_settings_event(ts=int(time.time() * 1000), classifier_actions=clean)
        transaction.on_commit(lambda: _announce(room.slug, event))
    return s


def chat_held_decide(*, actor: Any, room: Any, message_id: str, approve: bool, ip: str = "") -> ChatMessage:
    """A moderator approves a held message (it enters the timeline now) or rejects it."""
    if not selectors.chat_access(actor, room).can_moderate:
        raise ChatForbidden()
    with transaction.atomic():
        msg = ChatMessage.objects.select_for_update().filter(room=room, pk=message_id).first()
        if msg is None or msg.status != ChatMessage.Status.HELD:
            raise from_refusal(C.ERR_NOT_FOUND, "No held message with this id in this room.")
        msg.status = ChatMessage.Status.VISIBLE if approve else ChatMessage.Status.DELETED
        if not approve:
            msg.deleted_at = timezone.now()
            msg.deleted_by = actor
        msg.save(update_fields=["status", "deleted_at", "deleted_by"])
        ChatModerationAction.objects.create(
            room=room,
            actor=actor,
            actor_role=selectors.user_chat_role(actor, room),
            action="approve" if approve else "reject",
            target_user_id=msg.user_id,
            message_ids=[msg.pk],
            policy="classifier_review",
        )
        audit_record(
            actor=actor,
            action="chat.approve" if approve else "chat.reject",
            target=room,
            ip=ip,
            data={"message": msg.pk, "user": str(msg.user_id) if msg.user_id else None},
        )
        if approve:
            event = P.message_event(
                message_id=msg.pk,
                user=P.user_ref(str(msg.user_id) if msg.user_id else None, msg.login, msg.role),
                text=msg.text,
                ts=int(msg.created_at.timestamp() * 1000),
            )
            transaction.on_commit(lambda: _announce_approved(room.slug, msg.pk, event))
    return msg


def _announce_approved(room: str, message_id: str, event: dict[str, Any]) -> None:
    try:
        seq = runtime.publish_from_sync(room, event)
    except Exception:
        log.exception("chat announcement failed", extra={"room": room})
        return
    if seq is not None:
        ChatMessage.objects.filter(pk=message_id, seq__isnull=True).update(seq=seq)


def chat_message_restore(*, actor: Any, room: Any, message_id: str, ip: str = "") -> ChatMessage:
    """Put a deleted (or rejected) message back, e.g. when an appeal reverses its removal; deleted ones come back
    in the room's history (not announced again). A line the classifier blocked was never shown: restored, it
    enters the timeline now, announced like an approved held line. Audited."""
    if not selectors.chat_access(actor, room).can_moderate:
        raise ChatForbidden()
    with transaction.atomic():
        msg = ChatMessage.objects.select_for_update().filter(room=room, pk=message_id).first()
        if msg is None or msg.status not in (ChatMessage.Status.DELETED, ChatMessage.Status.BLOCKED):
            raise from_refusal(C.ERR_NOT_FOUND, "No deleted or blocked message with this id in this room.")
        was_blocked = msg.status == ChatMessage.Status.BLOCKED
        msg.status = ChatMessage.Status.VISIBLE
        msg.deleted_at = None
        msg.deleted_by = None
        msg.save(update_fields=["status", "deleted_at", "deleted_by"])
        ChatModerationAction.objects.create(
            room=room,
            actor=actor,
            actor_role=selectors.user_chat_role(actor, room),
            action="restore",
            target_user_id=msg.user_id,
            message_ids=[msg.pk],
            policy="appeal_upheld",
            data={"was": "blocked"} if was_blocked else {},
        )
        audit_record(
            actor=actor,
            action="chat.restore",
            target=room,
            ip=ip,
            data={
                "message": msg.pk,
                "user": str(msg.user_id) if msg.user_id else None,
                "was": ChatMessage.Status.BLOCKED.value if was_blocked else ChatMessage.Status.DELETED.value,
            },
        )
        if was_blocked:
            event = P.message_event(
                message_id=msg.pk,
                user=P.user_ref(str(msg.user_id) if msg.user_id else None, msg.login, msg.role),
                text=msg.text,
                ts=int(msg.created_at.timestamp() * 1000),
            )
            transaction.on_commit(lambda: _announce_approved(room.slug, msg.pk, event))
    return msg
