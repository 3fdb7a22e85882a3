"""Reads for chat: who may do what in a room, and a room's chat state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from stagedoor.accounts.roles import Perm, Role, role_has
from stagedoor.chat import codes as C
from stagedoor.chat.models import ChatHost, ChatMessage, ChatRestriction, ChatRoomSettings
from stagedoor.chat.perks import extra_flags
from stagedoor.chat.pipeline.wordlist import WordList
from stagedoor.chat.room import RoomMode, RoomState, string_map
from stagedoor.chat.ticket import (
    ROLE_ADMIN,
    ROLE_ANONYMOUS,
    ROLE_CHAT_HOST,
    ROLE_MODERATOR,
    ROLE_PERFORMER,
    ROLE_VIEWER,
    ChatTicket,
)

#: "registered" mode: accounts at least this old (keeps drive-by sign-ups out of a raid)
REGISTERED_MIN_AGE = timedelta(minutes=10)


@dataclass(frozen=True)
class ChatAccess:
    role: str
    perms: frozenset[str]
    flags: frozenset[str]

    @property
    def can_moderate(self) -> bool:
        return C.PERM_MODERATE in self.perms


def chat_access(user: Any, room: Any) -> ChatAccess:
    """What ``user`` (None or anonymous for a guest) may do in ``room``'s chat."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ChatAccess(ROLE_ANONYMOUS, frozenset({C.PERM_READ}), frozenset())
    perms = {C.PERM_READ, C.PERM_WRITE}
    if room.performer_id == user.pk:
        role = ROLE_PERFORMER
    elif role_has(user.role, Perm.CHAT_MODERATE_ANY):
        # The chat shows staff as "admin" or "moderator" (badges); both moderate every room.
        role = ROLE_ADMIN if user.role == Role.ADMIN else ROLE_MODERATOR
    elif ChatHost.objects.filter(room=room, user=user).exists():
        role = ROLE_CHAT_HOST
    else:
        role = ROLE_VIEWER
    if role != ROLE_VIEWER:
        perms.add(C.PERM_MODERATE)
    flags = set()
    if user.date_joined <= timezone.now() - REGISTERED_MIN_AGE:
        flags.add("registered")
    from stagedoor.rooms.selectors import is_following

    if is_following(user_id=user.pk, room=room):
        flags.add("follower")
    if _holds_tokens(user):
        flags.add("token_holder")
    flags |= extra_flags(user, room)  # apps above chat (fan clubs): chat/perks.py
    return ChatAccess(role, frozenset(perms), frozenset(flags))


def _holds_tokens(user: Any) -> bool:
    try:
        from stagedoor.wallet.selectors import wallet_balance
    except ImportError:  # wallet not installed
        return False
    return wallet_balance(user) > 0


def chat_ticket_for(user: Any, room: Any) -> ChatTicket:
    """The claims the REST side acts with (same shape the gateway gets from a ticket)."""
    access = chat_access(user, room)
    authed = access.role != ROLE_ANONYMOUS
    return ChatTicket(
        room=room.slug,
        user_id=str(user.pk) if authed else None,
        login=user.login if authed else None,
        role=access.role,
        perms=access.perms,
        exp=0,
        flags=access.flags,
    )


def user_chat_role(user: Any, room: Any) -> str:
    return chat_access(user, room).role


def chat_room_state(room: Any) -> RoomState:
    """The room's stored chat state, as the gateway starts from when it opens the room."""
    s = ChatRoomSettings.objects.filter(room=room).first()
    mode = RoomMode()
    words = WordList()
    actions: dict[str, str] = {}
    if s is not None:
        mode = RoomMode(
            slow_seconds=s.slow_seconds,
            audience=s.audience,
            links=s.links_allowed,
            emails=s.emails_allowed,
            phones=s.phones_allowed,
        )
        words = WordList(line for line in s.blocked_words.splitlines() if line.strip())
        actions = string_map(s.classifier_actions)
    now = timezone.now()
    active = ChatRestriction.objects.filter(room=room, lifted_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gt=now)
    )
    banned = set()
    timeouts = {}
    for r in active:
        if r.kind == ChatRestriction.Kind.BAN:
            banned.add(str(r.user_id))
        elif r.until is not None:
            timeouts[str(r.user_id)] = r.until.timestamp()
    return RoomState(room.slug, mode=mode, words=words, banned=banned, timeouts=timeouts, classifier_actions=actions)


def chat_classifier_actions(room: Any) -> dict[str, str]:
    """The classifier actions the room stored (category -> action), {} when none."""
    stored = ChatRoomSettings.objects.filter(room=room).values_list("classifier_actions", flat=True).first()
    return string_map(stored)


def chat_recent_message_ids(room: Any, user_id: str, *, within: timedelta = timedelta(hours=1)) -> list[str]:
    """What a purge removes from storage: the user's visible messages of the last hour."""
    since = timezone.now() - within
    return list(
        ChatMessage.objects.filter(
            room=room, user_id=user_id, status=ChatMessage.Status.VISIBLE, created_at__gte=since
        ).values_list("id", flat=True)
    )


def chat_message_author(room: Any, message_id: str) -> tuple[str, str] | None:
    row = ChatMessage.objects.filter(room=room, pk=message_id).values_list("user_id", "role").first()
    if row is None or row[0] is None:
        return None
    return str(row[0]), str(row[1])


def chat_held_messages(room: Any, *, limit: int = 50) -> list[ChatMessage]:
    return list(ChatMessage.objects.filter(room=room, status=ChatMessage.Status.HELD).order_by("created_at")[:limit])


def chat_recent_messages(room: Any, *, limit: int = C.HISTORY_LENGTH) -> list[ChatMessage]:
    """The last visible messages, oldest first (at most the 50 of the history)."""
    limit = max(1, min(limit, C.HISTORY_LENGTH))
    rows = ChatMessage.objects.filter(room=room, status=ChatMessage.Status.VISIBLE).order_by("-created_at")[:limit]
    return list(reversed(rows))


def chat_lines_for_statistics(*, after_id: str, before_id: str, limit: int) -> list[tuple[str, str, str, Any, str]]:
    """Visible chat lines written by people other than the room's performer, with `after_id` < id < `before_id`,
    in id order, at most `limit`: (id, room id, performer id, created_at, text).

    For aggregate statistics only (analytics' sentiment pass): held, blocked and deleted lines are left out, and
    so are system lines (no author). A caller keeps no text and no author."""
    rows = (
        ChatMessage.objects.filter(
            id__gt=after_id, id__lt=before_id, status=ChatMessage.Status.VISIBLE, user__isnull=False
        )
        .exclude(user_id=F("room__performer_id"))
        .order_by("id")
        .values_list("id", "room_id", "room__performer_id", "created_at", "text")[:limit]
    )
    return [(str(i), str(room), str(performer), at, str(text)) for i, room, performer, at, text in rows]
