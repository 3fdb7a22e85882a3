"""Short-lived HMAC-signed chat tickets: the web app vouches for a user, the gateway trusts it.

Format: ``base64url(json claims) "." base64url(HMAC-SHA256(key, json claims))``. The
gateway needs only the shared key, no database: it checks the signature, the expiry and
that the ticket was issued for the room being joined. Tickets are meant to be used once,
right away (default lifetime 60 s); the WebSocket connection they open may last longer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any, Final

from stagedoor.chat import codes as C

DEFAULT_TTL_SECONDS: Final = 60
_MAX_TICKET_LEN: Final = 4096

#: roles as the chat shows them (colours, badges); matches accounts' role names.
ROLE_ANONYMOUS: Final = "anonymous"
ROLE_VIEWER: Final = "viewer"
ROLE_PERFORMER: Final = "performer"
ROLE_CHAT_HOST: Final = "chat_host"
ROLE_MODERATOR: Final = "moderator"  # platform moderator: moderates every room
ROLE_ADMIN: Final = "admin"
ROLE_SYSTEM: Final = "system"


class TicketError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class ChatTicket:
    room: str
    user_id: str | None
    login: str | None
    role: str
    perms: frozenset[str]
    exp: int
    #: facts the web app knows and the room modes need: "registered" (verified account),
    #: "follower" (follows this room), "token_holder" (has bought tokens)
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def can_write(self) -> bool:
        return self.user_id is not None and C.PERM_WRITE in self.perms

    @property
    def can_moderate(self) -> bool:
        return self.user_id is not None and C.PERM_MODERATE in self.perms

    def public(self) -> dict[str, Any]:
        """What the welcome event tells the client about itself."""
        return {
            "id": self.user_id,
            "login": self.login,
            "role": self.role,
            "perms": sorted(self.perms),
        }


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def ticket_sign(
    *,
    key: bytes,
    room: str,
    user_id: str | None,
    login: str | None,
    role: str,
    perms: set[str] | frozenset[str],
    flags: set[str] | frozenset[str] = frozenset(),
    ttl: int = DEFAULT_TTL_SECONDS,
    now: float | None = None,
) -> str:
    if not key:
        raise ValueError("empty ticket key")
    if user_id is None and (C.PERM_WRITE in perms or C.PERM_MODERATE in perms):
        raise ValueError("anonymous tickets are read-only")
    exp = int((time.time() if now is None else now) + ttl)
    claims = {
        "room": room,
        "uid": user_id,
        "login": login,
        "role": role,
        "perms": sorted(perms),
        "flags": sorted(flags),
        "exp": exp,
    }
    body = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
    sig = hmac.new(key, body, hashlib.sha256).digest()
    return f"{_b64e(body)}.{_b64e(sig)}"


def ticket_verify(token: str, *, key: bytes, room: str | None = None, now: float | None = None) -> ChatTicket:
    """Check signature, expiry and room; return the claims or raise :class:`TicketError`."""
    if not isinstance(token, str) or len(token) > _MAX_TICKET_LEN or token.count(".") != 1:
        raise TicketError(C.ERR_BAD_TICKET, "malformed ticket")
    body_b64, sig_b64 = token.split(".")
    try:
        body = _b64d(body_b64)
        sig = _b64d(sig_b64)
    except (ValueError, UnicodeEncodeError) as exc:
        raise TicketError(C.ERR_BAD_TICKET, "malformed ticket") from exc
    expected = hmac.new(key, body, hashlib.sha256).digest()
    if not hmac.compare_digest(sig, expected):
        raise TicketError(C.ERR_BAD_TICKET, "bad ticket signature")
    try:
        claims = json.loads(body)
        ticket = ChatTicket(
            room=str(claims["room"]),
            user_id=None if claims["uid"] is None else str(claims["uid"]),
            login=None if claims["login"] is None else str(claims["login"]),
            role=str(claims["role"]),
            perms=frozenset(str(p) for p in claims["perms"]),
            flags=frozenset(str(f) for f in claims.get("flags", ())),
            exp=int(claims["exp"]),
        )
    except (ValueError, KeyError, TypeError) as exc:  # signed by us but not ours: refuse
        raise TicketError(C.ERR_BAD_TICKET, "malformed ticket claims") from exc
    if ticket.exp < (time.time() if now is None else now):
        raise TicketError(C.ERR_TICKET_EXPIRED, "ticket expired")
    if room is not None and ticket.room != room:
        raise TicketError(C.ERR_BAD_TICKET, "ticket issued for another room")
    return ticket
