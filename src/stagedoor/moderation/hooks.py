"""What trust & safety plugs into the apps below it. Installed once, from `ModerationConfig.ready()`.

* the **frame scanner** the ingest hands every sample to (`streaming.samples` registry): the scanner
  (`moderation/frames/`) reads hash lists, room policies and trust through the selectors here, and
  its findings become cases through `services.frame_finding_record`; a prohibited-list match ends
  the stream on this ingest at once;
* the **publish gate** (`core.gates.PUBLISH`): a suspended account does not go live, and a room
  whose stream was ended on a prohibited-content match stays off the air until a moderator has
  decided its case (so OBS reconnecting does not bring it back).

The chat classifier is installed by `moderation.text.classifier.install_chat_classifier`.
"""

from __future__ import annotations

from typing import Any

from stagedoor.core.gates import PUBLISH, GateContext, Refusal, gate_check
from stagedoor.moderation import selectors, services
from stagedoor.moderation.frames.scanner import FrameFinding
from stagedoor.moderation.frames.wiring import frame_scanner_factory, settings_from_config
from stagedoor.streaming.local_ingest import current_ingest
from stagedoor.streaming.samples import set_sample_consumer_factory

REFUSALS = {
    "suspended": Refusal(
        "moderation.account_suspended",
        "This account is suspended, so it cannot go live. The decision and how to appeal it are on your "
        "decisions page.",
        "/decisions",
    ),
    "under_review": Refusal(
        "moderation.stream_under_review",
        "Your last broadcast was ended by an automated safety check and is waiting for a moderator. You can "
        "go live again once it has been reviewed.",
        "/decisions",
    ),
}


def publish_allowed(ctx: GateContext) -> Refusal | None:
    block = selectors.publish_block(ctx.user, ctx.room)
    return REFUSALS[block] if block is not None else None


def record_finding(finding: FrameFinding) -> None:
    """The scanner's sink (run in a worker thread): the frame is kept as evidence and cases open."""
    services.frame_finding_record(finding)


async def end_stream_here(room: str, reason: str) -> bool:
    """The scanner's `end_stream`: the scanner runs inside the ingest, on its event loop, next to the stream."""
    server = current_ingest()
    return await server.end_stream(room, reason) if server is not None else False


def install(frames_config: Any) -> None:
    gate_check(PUBLISH, name="moderation.not_suspended_or_under_review")(publish_allowed)
    set_sample_consumer_factory(
        frame_scanner_factory(
            sink=record_finding,
            end_stream=end_stream_here,
            trust_lookup=selectors.room_trust_for_scanner,
            hash_lists_loader=selectors.hash_lists_for_scanner,
            policy_lookup=selectors.room_policy_for_scanner,
            settings=settings_from_config(frames_config),
        )
    )
