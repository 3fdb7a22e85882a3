"""Gates: points where a higher app may refuse an action a lower app performs.

The ingest (streaming) must refuse an unverified performer, the wallet must not pay one, and
playback, chat and purchases must honour a viewer's age check: rules that live in
`verification` and `moderation`, which sit *above* the apps that act. Rather than importing
upwards, the acting app asks its gate, and the deciding app registers a check on it from its
`AppConfig.ready()`:

    @gate_check(PUBLISH, name="verification.performer_verified")
    def must_be_verified(ctx: GateContext) -> Refusal | None: ...

    refusal = gate_refusal(PUBLISH, GateContext(user=user, room=room))   # in streaming

A check returns None to let the action through, or a :class:`Refusal` (a stable code, a
sentence for the person, and where to go to fix it). The first refusal wins; a check that
raises is a bug, so the exception propagates (the action fails closed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class Gate:
    name: str
    doc: str


#: a performer starts publishing (RTMP/WHIP ingest): ctx.user is the key's owner, ctx.room the room
PUBLISH: Final = Gate("streaming.publish", "a performer goes live")
#: money is about to be credited to a performer (tips, shows, fan clubs): ctx.user is the payee
PAYEE: Final = Gate("wallet.payee", "a performer is paid")
#: adult content is about to be served to a viewer (playback grant, chat ticket, purchase):
#: ctx.user (or None for a guest), ctx.request (country, device cookie)
ADULT_CONTENT: Final = Gate("viewer.adult_content", "a viewer sees or pays for adult content")


@dataclass(frozen=True, slots=True)
class GateContext:
    user: Any = None
    room: Any = None
    request: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str  # e.g. "verification.required"
    message: str  # a sentence for the person refused
    action_url: str = ""  # where to go to put it right, if anywhere


Check = Callable[[GateContext], Refusal | None]
_CHECKS: dict[str, list[tuple[str, Check]]] = defaultdict(list)


def gate_check(gate: Gate, *, name: str) -> Callable[[Check], Check]:
    """Register `fn(ctx) -> Refusal | None` on `gate`; `name` ("app.what") makes it idempotent."""

    def register(fn: Check) -> Check:
        entries = _CHECKS[gate.name]
        entries[:] = [(n, f) for n, f in entries if n != name]
        entries.append((name, fn))
        return fn

    return register


def gate_refusal(gate: Gate, ctx: GateContext) -> Refusal | None:
    """The first refusal of `gate`'s checks, or None when every check lets the action through."""
    for _name, fn in list(_CHECKS.get(gate.name, ())):
        refusal = fn(ctx)
        if refusal is not None:
            return refusal
    return None


def gate_checks(gate: Gate) -> list[str]:
    """The names of the checks registered on `gate` (for tests and the console)."""
    return [name for name, _ in _CHECKS.get(gate.name, ())]
