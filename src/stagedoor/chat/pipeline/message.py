"""The message pipeline: who may write -> size -> normalize -> rate limits -> room policy
on contacts -> word lists -> classifier. Each stage is its own module; this one only
orders them and turns the first refusal into an :class:`Outcome`. Persistence and
fan-out come after, in the gateway, once an outcome is ``accepted`` (a held line, and a
line the classifier blocked, are persisted but never fanned out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from stagedoor.chat import codes as C
from stagedoor.chat.pipeline import size
from stagedoor.chat.pipeline.classifier import Action, AllowAll, Classifier, ClassifyContext
from stagedoor.chat.pipeline.contacts import check_contacts
from stagedoor.chat.pipeline.normalize import display_text, mentions, skeleton
from stagedoor.chat.pipeline.ratelimit import SlowMode, TokenBucketLimiter
from stagedoor.chat.pipeline.wordlist import WordList
from stagedoor.chat.room import RoomState
from stagedoor.chat.ticket import ChatTicket

ACCEPTED: Final = "accepted"
HELD: Final = "held"
REFUSED: Final = "refused"

_MESSAGES: Final[dict[str, str]] = {
    C.ERR_FORBIDDEN: "you may not write in this room",
    C.ERR_BANNED: "you are banned from this room",
    C.ERR_TIMED_OUT: "you are timed out",
    C.ERR_AUDIENCE_RESTRICTED: "the room is restricted to some viewers right now",
    C.ERR_MUTED: "too many messages: you are muted for a moment",
    C.ERR_RATE_LIMITED: "too many messages",
    C.ERR_SLOW_MODE: "slow mode is on",
    C.ERR_LINK_NOT_ALLOWED: "links are not allowed in this room",
    C.ERR_EMAIL_NOT_ALLOWED: "e-mail addresses are not allowed in this room",
    C.ERR_PHONE_NOT_ALLOWED: "phone numbers are not allowed in this room",
    C.ERR_BLOCKED_WORD: "your message contains a blocked word",
    C.ERR_BLOCKED: "your message was blocked",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # ACCEPTED | HELD | REFUSED
    text: str = ""  # display text when accepted, held or blocked by the classifier
    code: str | None = None
    message: str = ""
    retry_after: float | None = None
    mentions: tuple[str, ...] = ()
    reason: str = ""  # classifier reason (held / blocked)


def _refuse(code: str, retry_after: float | None = None, message: str | None = None) -> Outcome:
    return Outcome(REFUSED, code=code, message=message or _MESSAGES.get(code, code), retry_after=retry_after)


@dataclass
class PipelineConfig:
    max_chars: int = size.DEFAULT_MAX_CHARS
    user_burst: int = 3
    user_per_seconds: float = 2.0
    user_mute_seconds: float = 10.0
    #: per IP, across users and rooms; None disables (behind a proxy that hides IPs)
    ip_burst: int | None = 10
    ip_per_seconds: float = 2.0
    platform_words: tuple[str, ...] = ()
    moderators_exempt: bool = True  # from rate limits, slow mode and audience modes


@dataclass
class MessagePipeline:
    config: PipelineConfig = field(default_factory=PipelineConfig)
    classifier: Classifier = field(default_factory=AllowAll)

    def __post_init__(self) -> None:
        c = self.config
        self.user_limiter = TokenBucketLimiter(
            burst=c.user_burst, per_seconds=c.user_per_seconds, mute_seconds=c.user_mute_seconds
        )
        self.ip_limiter = (
            TokenBucketLimiter(burst=c.ip_burst, per_seconds=c.ip_per_seconds, mute_seconds=0) if c.ip_burst else None
        )
        self.slow_mode = SlowMode()
        self.platform_words = WordList(c.platform_words)

    def check(
        self,
        *,
        sender: ChatTicket,
        room: RoomState,
        text: str,
        ip: str | None,
        now: float,
        mono: float,
    ) -> Outcome:
        """Run every stage on one message. ``now`` is wall-clock seconds (time-outs cross
        nodes), ``mono`` monotonic seconds (rate limits)."""
        # 1. who may write
        if not sender.can_write or sender.user_id is None:
            return _refuse(C.ERR_FORBIDDEN)
        uid = sender.user_id
        if room.is_banned(uid):
            return _refuse(C.ERR_BANNED)
        left = room.timed_out_for(uid, now)
        if left > 0:
            return _refuse(C.ERR_TIMED_OUT, retry_after=left)
        exempt = self.config.moderators_exempt and sender.can_moderate
        if not exempt:
            aud = room.mode.audience
            if (
                (aud == C.AUDIENCE_REGISTERED and "registered" not in sender.flags)
                or (aud == C.AUDIENCE_FOLLOWERS and "follower" not in sender.flags)
                or (aud == C.AUDIENCE_TOKEN_HOLDERS and "token_holder" not in sender.flags)
            ):
                return _refuse(C.ERR_AUDIENCE_RESTRICTED)
            if aud == C.AUDIENCE_FANS and "fan" not in sender.flags:
                return _refuse(C.ERR_AUDIENCE_RESTRICTED, message="only fan club members can write here right now")
        # 2. size, before and after normalization
        if (r := size.check_raw_size(text, max_chars=self.config.max_chars)) is not None:
            return _refuse(r.code, message=r.message)
        shown = display_text(text)
        if (r := size.check_display_size(shown, max_chars=self.config.max_chars)) is not None:
            return _refuse(r.code, message=r.message)
        # 3. rate limits: every attempt counts, so a flood of refused lines still mutes
        if not exempt:
            if self.ip_limiter is not None and ip and (rr := self.ip_limiter.hit(ip, mono)) is not None:
                return _refuse(rr.code, rr.retry_after)
            if (rr := self.user_limiter.hit((room.room, uid), mono)) is not None:
                return _refuse(rr.code, rr.retry_after)
            if (rr := self.slow_mode.hit((room.room, uid), room.mode.slow_seconds, mono)) is not None:
                return _refuse(rr.code, rr.retry_after)
        # 4. the room's policy on contact details (moderators included: a host's link is
        #    still a link, but the performer's own room rules are theirs to set)
        if not exempt and (code := check_contacts(shown, room.mode.contacts)) is not None:
            return _refuse(code)
        # 5. word lists
        if self.platform_words.find(shown) is not None or room.words.find(shown) is not None:
            return _refuse(C.ERR_BLOCKED_WORD)
        # 6. classifier
        ctx = ClassifyContext(
            room=room.room,
            user_id=uid,
            role=sender.role,
            skeleton=skeleton(shown),
            room_actions=room.classifier_actions,
        )
        verdict = self.classifier.classify(shown, ctx)
        found = tuple(mentions(shown))
        if verdict.action is Action.BLOCK:
            # refused, but with its text: the gateway stores the line as blocked (never shown) for the record
            return Outcome(
                REFUSED,
                text=shown,
                code=C.ERR_BLOCKED,
                message=_MESSAGES[C.ERR_BLOCKED],
                mentions=found,
                reason=verdict.reason,
            )
        if verdict.action is Action.HOLD:
            return Outcome(HELD, text=shown, mentions=found, reason=verdict.reason)
        return Outcome(ACCEPTED, text=shown, mentions=found)

    def prune(self, mono: float) -> None:
        """Drop idle rate-limit state; the gateway calls this every minute or so."""
        self.user_limiter.prune(mono)
        if self.ip_limiter is not None:
            self.ip_limiter.prune(mono)
        self.slow_mode.prune(mono, float(60 * 10))
