"""What moderation plugs into the ingest: the publish gate (suspensions, streams under review) and the
frame scanner registered as the ingest's sample consumer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from stagedoor.core.gates import PUBLISH, gate_checks
from stagedoor.moderation.frames.scanner import FrameScanner
from stagedoor.moderation.models import Case, Sanction
from stagedoor.moderation.services import case_decide, case_open
from stagedoor.streaming.ingest import PublishRefused
from stagedoor.streaming.runtime import _authorize_sync
from stagedoor.streaming.samples import close_sample_consumer, configured_sample_consumer
from stagedoor.streaming.services import stream_key_rotate

pytestmark = pytest.mark.django_db


def _prohibited_match(room: Any) -> Case:
    case, _ = case_open(
        source=Case.Source.HASH_MATCH,
        category="prohibited_content",
        subject=room.performer,
        room=room,
        evidence={"hash_matches": [{"list_name": "operator", "kind": "prohibited", "ref": "x", "distance": 3}]},
        dedupe_key=f"hash:{room.pk}:prohibited:test",
        severity="critical",
    )
    return case


def test_moderation_registers_its_publish_check_and_the_frame_scanner() -> None:
    assert "moderation.not_suspended_or_under_review" in gate_checks(PUBLISH)
    consumer = configured_sample_consumer()
    try:
        assert isinstance(consumer, FrameScanner)
    finally:
        asyncio.run(close_sample_consumer(consumer))


def test_a_performer_goes_live_when_nothing_stands_against_them(room: Any) -> None:
    key = stream_key_rotate(user=room.performer)
    assert _authorize_sync("live", key).room == room.slug


def test_a_suspended_performer_cannot_go_live_until_the_suspension_is_lifted(room: Any, moderator: Any) -> None:
    key = stream_key_rotate(user=room.performer)
    case, _ = case_open(source=Case.Source.STAFF, category="scam", subject=room.performer, room=room)
    case_decide(actor=moderator, case_id=case.pk, policy_code="SCAM-1", action="suspend_account")
    with pytest.raises(PublishRefused) as refused:
        _authorize_sync("live", key)
    assert "suspended" in refused.value.reason
    sanction = Sanction.objects.get(user=room.performer, kind=Sanction.Kind.SUSPENSION)
    assert sanction.lifted_at is None


def test_a_stream_ended_on_a_prohibited_match_stays_off_until_a_moderator_decides(room: Any, moderator: Any) -> None:
    key = stream_key_rotate(user=room.performer)
    case = _prohibited_match(room)
    with pytest.raises(PublishRefused) as refused:
        _authorize_sync("live", key)
    assert "waiting for a moderator" in refused.value.reason
    case_decide(actor=moderator, case_id=case.pk, policy_code="HASH-1", action="dismiss", note="false match")
    assert _authorize_sync("live", key).room == room.slug
