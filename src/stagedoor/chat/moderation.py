"""Room moderation as pure decisions: who may act on whom, and the event to announce.

The gateway (socket commands) and the Django services (REST, staff console) both go
through :func:`plan_action`; the result is a :class:`ModerationAction` the recorder
persists and audits (``ActionRecorder``), then an event the room's timeline carries.

Rules: the performer, their chat hosts and platform moderators moderate a room (the
web app puts ``moderate`` in their chat ticket for that room; platform moderators get
it everywhere). Nobody moderates themselves; chat hosts cannot act on the performer or
platform staff; time-outs last 1 minute to 24 hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from stagedoor.chat import codes as C
from stagedoor.chat import protocol as P
from stagedoor.chat.room import RoomMode
from stagedoor.chat.ticket import ROLE_ADMIN, ROLE_MODERATOR, ROLE_PERFORMER, ChatTicket

#: roles a room-level moderator (chat host) may not act on
PROTECTED_ROLES: Final = frozenset({ROLE_PERFORMER, ROLE_MODERATOR, ROLE_ADMIN})
PLATFORM_ROLES: Final = frozenset({ROLE_MODERATOR, ROLE_ADMIN})

ACTION_DELETE: Final = "delete"
ACTION_PURGE: Final = "purge"
ACTION_TIMEOUT: Final = "timeout"
ACTION_BAN: Final = "ban"
ACTION_UNBAN: Final = "unban"
ACTION_MODE: Final = "mode"


class ActionRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ModerationAction:
    kind: str
    room: str
    actor_id: str
    actor_login: str
    actor_role: str
    target_user_id: str | None = None
    message_ids: tuple[str, ...] = ()
    seconds: int | None = None
    reason: str = ""
    mode: dict[str, Any] = field(default_factory=dict)
    ts: int = 0  # ms

    def event(self, *, now: float) -> dict[str, Any]:
        """The timeline event that announces this action to the room."""
        by = P.user_ref(self.actor_id, self.actor_login, self.actor_role)
        if self.kind == ACTION_DELETE:
            return P.message_deleted_event(message_id=self.message_ids[0], by=by, ts=self.ts)
        if self.kind == ACTION_PURGE:
            assert self.target_user_id is not None
            return P.user_purged_event(
                user_id=self.target_user_id, message_ids=list(self.message_ids), by=by, ts=self.ts
            )
        if self.kind == ACTION_TIMEOUT:
            assert self.target_user_id is not None and self.seconds is not None
            return P.user_timed_out_event(
                user_id=self.target_user_id,
                seconds=self.seconds,
                until=int(now + self.seconds),
                reason=self.reason,
                by=by,
                ts=self.ts,
            )
        if self.kind == ACTION_BAN:
            assert self.target_user_id is not None
            return P.user_banned_event(user_id=self.target_user_id, reason=self.reason, by=by, ts=self.ts)
        if self.kind == ACTION_UNBAN:
            assert self.target_user_id is not None
            return P.user_unbanned_event(user_id=self.target_user_id, by=by, ts=self.ts)
        if self.kind == ACTION_MODE:
            return P.room_mode_event(mode=self.mode, by=by, ts=self.ts)
        raise AssertionError(self.kind)


class ActionRecorder(Protocol):
    """Persists and audits an action before it is announced; may refuse it."""

    async def record(self, action: ModerationAction) -> ModerationAction: ...


class NullRecorder:
    async def record(self, action: ModerationAction) -> ModerationAction:
        return action


@dataclass
class MemoryRecorder:
    actions: list[ModerationAction] = field(default_factory=list)

    async def record(self, action: ModerationAction) -> ModerationAction:
        self.actions.append(action)
        return action


def check_target(actor: ChatTicket, target_id: str | None, target_role: str | None) -> None:
    if not actor.can_moderate or actor.user_id is None:
        raise ActionRefused(C.ERR_FORBIDDEN, "you may not moderate this room")
    if target_id is not None and target_id == actor.user_id:
        raise ActionRefused(C.ERR_FORBIDDEN, "you cannot moderate yourself")
    if target_role in PROTECTED_ROLES and actor.role not in PLATFORM_ROLES:
        raise ActionRefused(C.ERR_FORBIDDEN, "only platform moderators may act on this user")


def plan_action(
    command: P.Delete | P.Purge | P.Timeout | P.Ban | P.Unban | P.SetMode,
    *,
    actor: ChatTicket,
    room: str,
    mode: RoomMode,
    ts: int,
    target_role: str | None = None,
    message_author: tuple[str, str] | None = None,
    purge_ids: tuple[str, ...] = (),
) -> ModerationAction:
    """Validate a moderation command and turn it into an action. Raises ActionRefused.

    ``message_author`` is (user id, role) of the message a delete targets, when known;
    ``target_role`` the role of the user a purge/time-out/ban targets, when known.
    """
    assert actor.user_id is not None or not actor.can_moderate
    base = dict(
        room=room,
        actor_id=actor.user_id or "",
        actor_login=actor.login or "",
        actor_role=actor.role,
        ts=ts,
    )
    if isinstance(command, P.Delete):
        author_id, author_role = message_author if message_author else (None, None)
        if author_id is not None and author_id == actor.user_id and actor.can_moderate:
            pass  # deleting your own line is fine
        else:
            check_target(actor, author_id, author_role)
        return ModerationAction(ACTION_DELETE, message_ids=(command.message_id,), **base)  # type: ignore[arg-type]
    if isinstance(command, P.SetMode):
        check_target(actor, None, None)
        try:
            new = mode.changed(
                slow_seconds=command.slow_seconds,
                audience=command.audience,
                links=command.links,
                emails=command.emails,
                phones=command.phones,
            )
        except ValueError as exc:
            raise ActionRefused(C.ERR_BAD_FIELD, str(exc)) from exc
        return ModerationAction(ACTION_MODE, mode=new.as_dict(), **base)  # type: ignore[arg-type]
    check_target(actor, command.user_id, target_role)
    if isinstance(command, P.Purge):
        return ModerationAction(ACTION_PURGE, target_user_id=command.user_id, message_ids=purge_ids, **base)  # type: ignore[arg-type]
    if isinstance(command, P.Timeout):
        if not C.TIMEOUT_MIN_SECONDS <= command.seconds <= C.TIMEOUT_MAX_SECONDS:
            raise ActionRefused(C.ERR_INVALID_DURATION, "time-outs last from 1 minute to 24 hours")
        return ModerationAction(
            ACTION_TIMEOUT,
            target_user_id=command.user_id,
            seconds=command.seconds,
            reason=command.reason,
            **base,  # type: ignore[arg-type]
        )
    if isinstance(command, P.Ban):
        return ModerationAction(ACTION_BAN, target_user_id=command.user_id, reason=command.reason, **base)  # type: ignore[arg-type]
    if isinstance(command, P.Unban):
        return ModerationAction(ACTION_UNBAN, target_user_id=command.user_id, **base)  # type: ignore[arg-type]
    raise AssertionError(type(command))
