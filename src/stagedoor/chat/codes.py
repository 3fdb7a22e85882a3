"""Every string constant of the chat wire protocol, in one place (like Owncast's eventtype.go).

Event types go server -> client, command types client -> server, error codes ride in
``error`` events and ``ack`` refusals, close codes end a socket.
"""

from __future__ import annotations

from typing import Final

PROTOCOL_VERSION: Final = 1
SUBPROTOCOL: Final = "stagedoor.chat.v1"

# --- server -> client events ------------------------------------------------------------
EV_WELCOME: Final = "welcome"
EV_MESSAGE: Final = "message"
EV_NOTICE: Final = "notice"
EV_TIP: Final = "tip"
EV_GOAL: Final = "goal"
EV_MESSAGE_DELETED: Final = "message.deleted"
EV_USER_PURGED: Final = "user.purged"
EV_USER_TIMED_OUT: Final = "user.timed_out"
EV_USER_BANNED: Final = "user.banned"
EV_USER_UNBANNED: Final = "user.unbanned"
EV_ROOM_MODE: Final = "room.mode"
#: internal: a room's settings the gateway enforces but viewers must not see (blocked words,
#: the classifier's per-room actions). Sequenced and folded into every node's RoomState,
#: never written to a socket (docs/chat-protocol.md §2a).
EV_ROOM_SETTINGS: Final = "room.settings"
EV_PRESENCE: Final = "presence"
EV_ACK: Final = "ack"
EV_ERROR: Final = "error"
EV_PONG: Final = "pong"

#: events that enter the room's timeline: they get a per-room sequence number, go through
#: fan-out and the resume ring. Everything else is per-socket or ephemeral.
SEQUENCED_EVENTS: Final = frozenset(
    {
        EV_MESSAGE,
        EV_NOTICE,
        EV_TIP,
        EV_GOAL,
        EV_MESSAGE_DELETED,
        EV_USER_PURGED,
        EV_USER_TIMED_OUT,
        EV_USER_BANNED,
        EV_USER_UNBANNED,
        EV_ROOM_MODE,
        EV_ROOM_SETTINGS,
    }
)
#: sequenced events that stay inside the gateways: the hub applies them and never sends them
#: (not live, not in a resume replay, not in history), so a client may see a number skipped.
INTERNAL_EVENTS: Final = frozenset({EV_ROOM_SETTINGS})

# --- client -> server commands ----------------------------------------------------------
CMD_HELLO: Final = "hello"
CMD_SEND: Final = "send"
CMD_DELETE: Final = "delete"
CMD_PURGE: Final = "purge"
CMD_TIMEOUT: Final = "timeout"
CMD_BAN: Final = "ban"
CMD_UNBAN: Final = "unban"
CMD_MODE: Final = "mode"
CMD_PING: Final = "ping"

# --- error codes (stable; clients switch on them) ----------------------------------------
ERR_BAD_JSON: Final = "chat.bad_json"
ERR_BAD_FRAME: Final = "chat.bad_frame"  # binary frame, or not a JSON object
ERR_FRAME_TOO_LARGE: Final = "chat.frame_too_large"
ERR_UNKNOWN_TYPE: Final = "chat.unknown_type"
ERR_BAD_FIELD: Final = "chat.bad_field"
ERR_UNSUPPORTED_VERSION: Final = "chat.unsupported_version"
ERR_NOT_AUTHENTICATED: Final = "chat.not_authenticated"
ERR_BAD_TICKET: Final = "chat.bad_ticket"
ERR_TICKET_EXPIRED: Final = "chat.ticket_expired"
ERR_FORBIDDEN: Final = "chat.forbidden"
ERR_MESSAGE_EMPTY: Final = "chat.message_empty"
ERR_MESSAGE_TOO_LONG: Final = "chat.message_too_long"
ERR_RATE_LIMITED: Final = "chat.rate_limited"
ERR_SLOW_MODE: Final = "chat.slow_mode"
ERR_MUTED: Final = "chat.muted"  # rate-limit mute
ERR_TIMED_OUT: Final = "chat.timed_out"  # moderator time-out
ERR_BANNED: Final = "chat.banned"
ERR_AUDIENCE_RESTRICTED: Final = "chat.audience_restricted"
ERR_LINK_NOT_ALLOWED: Final = "chat.link_not_allowed"
ERR_EMAIL_NOT_ALLOWED: Final = "chat.email_not_allowed"
ERR_PHONE_NOT_ALLOWED: Final = "chat.phone_not_allowed"
ERR_BLOCKED_WORD: Final = "chat.blocked_word"
ERR_BLOCKED: Final = "chat.blocked"  # classifier said block
ERR_NOT_FOUND: Final = "chat.not_found"
ERR_INVALID_DURATION: Final = "chat.invalid_duration"
ERR_INTERNAL: Final = "chat.internal"

# --- close codes ------------------------------------------------------------------------
# 1008 (policy violation) and 1009 (message too big) are the standard ones we also use;
# 4000-4999 are private-use per RFC 6455.
CLOSE_POLICY: Final = 1008
CLOSE_TOO_BIG: Final = 1009
CLOSE_GOING_AWAY: Final = 1001
CLOSE_UNAUTHORIZED: Final = 4001
CLOSE_BANNED: Final = 4003
CLOSE_SLOW_CONSUMER: Final = 4008
CLOSE_FLOOD: Final = 4029
CLOSE_HELLO_TIMEOUT: Final = 4010

# --- permissions carried by the ticket ---------------------------------------------------
PERM_READ: Final = "read"
PERM_WRITE: Final = "write"
PERM_MODERATE: Final = "moderate"

# --- audience modes ---------------------------------------------------------------------
AUDIENCE_EVERYONE: Final = "everyone"  # every signed-in user may write
AUDIENCE_REGISTERED: Final = "registered"  # accounts older than the room's minimum age
AUDIENCE_FOLLOWERS: Final = "followers"
AUDIENCE_TOKEN_HOLDERS: Final = "token_holders"  # noqa: S105 (not a secret)
AUDIENCE_FANS: Final = "fans"  # members of the performer's fan club (the "fan" flag, see chat/perks.py)
AUDIENCES: Final = (
    AUDIENCE_EVERYONE,
    AUDIENCE_REGISTERED,
    AUDIENCE_FOLLOWERS,
    AUDIENCE_TOKEN_HOLDERS,
    AUDIENCE_FANS,
)

# --- moderation limits ------------------------------------------------------------------
TIMEOUT_MIN_SECONDS: Final = 60
TIMEOUT_MAX_SECONDS: Final = 24 * 3600
SLOW_MODE_MAX_SECONDS: Final = 600
HISTORY_LENGTH: Final = 50
