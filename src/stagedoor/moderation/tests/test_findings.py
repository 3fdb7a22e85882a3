"""The frame scanner's findings become cases (the frame stored where no public URL reaches it), and the loaders the
scanner reads the database with: hash lists, room content policy, trust."""

from __future__ import annotations

import io
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from stagedoor.moderation import selectors, services
from stagedoor.moderation.errors import HashListInvalid
from stagedoor.moderation.frames.detector import Detection
from stagedoor.moderation.frames.pdq import HashMatch, ListKind
from stagedoor.moderation.frames.policy import Category, FrameFlag, RoomPolicy, Severity
from stagedoor.moderation.frames.sampling import TrustInfo
from stagedoor.moderation.frames.scanner import FrameFinding
from stagedoor.moderation.models import Case, Decision, HashEntry, HashList

from .conftest import write_message

pytestmark = pytest.mark.django_db

HASH_A = "f" * 60 + "0001"
HASH_B = "0123456789abcdef" * 4


def synthetic_jpeg(seed: int = 1) -> bytes:
    """Drawn shapes on a gradient-free background: no real imagery."""
    image = Image.new("RGB", (320, 180), (20 * seed % 255, 80, 140))
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, 150, 120), fill=(240, 200, 40))
    draw.ellipse((180, 40, 290, 150), fill=(30, 200, 120))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def finding(
    room: str,
    *,
    at: datetime,
    matches: tuple[HashMatch, ...] = (),
    flags: tuple[FrameFlag, ...] = (),
    ended: bool = False,
) -> FrameFinding:
    return FrameFinding(
        room=room,
        captured_at=at,
        jpeg=synthetic_jpeg(),
        width=320,
        height=180,
        detections=(Detection("FEMALE_BREAST_EXPOSED", 0.81, (10, 20, 30, 40)),) if flags else (),
        flags=flags,
        matches=matches,
        pdq_hex=HASH_A,
        pdq_quality=90,
        stream_ended=ended,
    )


def test_a_prohibited_match_opens_a_critical_case_with_the_automated_stream_end(media_dir: Path, room: Any) -> None:
    at = datetime(2026, 5, 1, 20, 15, 7, tzinfo=UTC)
    match = HashMatch("known-bad", ListKind.PROHIBITED, "ref-17", HASH_A, 6, "original")
    [case] = services.frame_finding_record(finding(room.slug, at=at, matches=(match,), ended=True))
    assert (case.source, case.category, case.severity, case.graphic) == (
        "hash_match",
        "prohibited_content",
        "critical",
        True,
    )
    assert (case.subject_id, case.room_id, case.status) == (room.performer_id, room.pk, "open")
    assert case.dedupe_key == f"hash:{room.pk}:prohibited:202605012015"
    assert case.evidence["hash_matches"] == [
        {"list_name": "known-bad", "kind": "prohibited", "ref": "ref-17", "distance": 6, "variant": "original"}
    ]
    [frame] = case.evidence["frames"]
    stored = media_dir / ".moderation-evidence" / frame["path"]
    assert frame["path"] == f"2026-05-01/{frame['item']}.jpg" and stored.read_bytes() == synthetic_jpeg()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert (frame["width"], frame["height"], frame["pdq"]) == (320, 180, HASH_A)
    [auto] = case.decisions.all()
    assert (auto.automated, auto.action, auto.policy_code) == (
        True,
        "end_stream",
        "HASH-1",
    ) and auto.moderator_id is None
    assert auto.evidence["enforcement"] == {"stream": "ended_by_scanner"}
    s = auto.statement
    assert (s.automated_detection, s.automated_decision, s.content_type) == (True, True, "CONTENT_TYPE_VIDEO")
    assert s.content_date == at
    # the next frame of the same minute joins the case; the stream end is recorded once
    [same] = services.frame_finding_record(
        finding(room.slug, at=at + timedelta(seconds=20), matches=(match,), ended=True)
    )
    assert same.pk == case.pk and Decision.objects.count() == 1
    same.refresh_from_db()
    assert same.hits == 2 and len(same.evidence["frames"]) == 2
    # the next minute is a new case
    [later] = services.frame_finding_record(finding(room.slug, at=at + timedelta(minutes=1), matches=(match,)))
    assert later.pk != case.pk and not later.decisions.exists()


def test_a_policy_flag_opens_a_frame_flag_case(media_dir: Path, room: Any) -> None:
    flag = FrameFlag(Category.NON_NUDE_ROOM, Severity.HIGH, "FEMALE_BREAST_EXPOSED", 0.81, "non_nude_room")
    leaked = HashMatch("leaks-of-star", ListKind.LEAKED, "clip-3", HASH_B, 10, "flip_x")
    cases = services.frame_finding_record(finding(room.slug, at=timezone.now(), flags=(flag,), matches=(leaked,)))
    by_source = {c.source: c for c in cases}
    assert set(by_source) == {"hash_match", "frame_flag"}
    assert (by_source["hash_match"].category, by_source["hash_match"].severity) == ("non_consensual", "high")
    flagged = by_source["frame_flag"]
    assert (flagged.category, flagged.severity) == ("room_policy", "high")
    assert flagged.evidence["flags"] == [
        {
            "category": "nudity_in_non_nude_room",
            "severity": "high",
            "label": "FEMALE_BREAST_EXPOSED",
            "score": 0.81,
            "rule": "non_nude_room",
        }
    ]
    assert flagged.evidence["detections"] == [
        {"label": "FEMALE_BREAST_EXPOSED", "score": 0.81, "box": [10, 20, 30, 40]}
    ]
    assert flagged.evidence["frames"] == by_source["hash_match"].evidence["frames"]  # one stored frame, two cases
    assert services.frame_finding_record(finding("no-such-room", at=timezone.now(), flags=(flag,))) == []
    assert Case.objects.count() == 2


def test_evidence_is_never_under_a_public_media_path(media_dir: Path, room: Any) -> None:
    match = HashMatch("known-bad", ListKind.PROHIBITED, "", HASH_A, 0, "original")
    [case] = services.frame_finding_record(finding(room.slug, at=timezone.now(), matches=(match,)))
    item = case.evidence["frames"][0]["item"]
    path = selectors.evidence_frame_path(case, item)
    assert path is not None and path.is_relative_to(media_dir / ".moderation-evidence")
    assert selectors.evidence_frame_path(case, "nope") is None
    import re

    from stagedoor.streaming.playback import ROOM_RE

    assert re.fullmatch(ROOM_RE, ".moderation-evidence") is None  # no room slug (the playback route) reaches it


def test_hash_list_loaders_and_upload(make_user: Any, room: Any) -> None:
    compliance = make_user("compliance")
    bad = services.hashlist_create(actor=compliance, name="known-bad", kind="prohibited")
    leaks = services.hashlist_create(actor=compliance, name="leaks-of-star", kind="leaked", owner_login="star")
    loaded = services.hashlist_entries_load(
        actor=compliance, list_id=bad.pk, text=f"# header\n{HASH_A.upper()},case 17\n\n{HASH_B}\n"
    )
    assert (loaded.added, loaded.already) == (2, 0)
    again = services.hashlist_entries_load(actor=compliance, list_id=bad.pk, text=f"{HASH_A}\n")
    assert (again.added, again.already) == (0, 1)
    services.hashlist_entries_load(actor=compliance, list_id=leaks.pk, text=f"{HASH_B},clip-3\n")
    assert selectors.hash_lists_for_scanner() == [
        ("known-bad", "prohibited", HASH_B, "", ""),
        ("known-bad", "prohibited", HASH_A, "case 17", ""),
        ("leaks-of-star", "leaked", HASH_B, "clip-3", room.slug),
    ]
    with pytest.raises(HashListInvalid) as refused:
        services.hashlist_entries_load(actor=compliance, list_id=bad.pk, text=f"{HASH_B}\nnot-a-hash,x\n{HASH_A}\n")
    assert refused.value.message == "Line 2: expected 64 hex digits (a PDQ hash), got 'not-a-hash'."
    assert HashEntry.objects.filter(hash_list=bad).count() == 2
    with pytest.raises(HashListInvalid, match="belongs to a performer"):
        services.hashlist_create(actor=compliance, name="leaks-x", kind="leaked", owner_login="nobody")
    with pytest.raises(HashListInvalid, match="exists"):
        services.hashlist_create(actor=compliance, name="known-bad", kind="removed")
    assert HashList.objects.count() == 2


def test_room_policy_and_trust_for_the_scanner(room: Any, troll: Any, make_user: Any) -> None:
    assert selectors.room_policy_for_scanner(room.slug) is None
    services.room_content_policy_set(actor=room.performer, room=room, non_nude=True, restricted_regions=["de", "US-TX"])
    assert selectors.room_policy_for_scanner(room.slug) == RoomPolicy(non_nude=True, restricted_regions=("DE", "US-TX"))
    with pytest.raises(Exception, match="Only the performer"):
        services.room_content_policy_set(actor=troll, room=room, non_nude=False, restricted_regions=[])
    assert selectors.room_trust_for_scanner("no-such-room") is None
    for day in range(3):
        write_message(room, troll, f"day {day}", ts_ms=int((timezone.now() - timedelta(days=day)).timestamp() * 1000))
    trust = selectors.room_trust_for_scanner(room.slug)
    assert trust == TrustInfo(
        account_created_at=room.performer.date_joined,
        room_created_at=room.created_at,
        past_broadcasts=3,
        last_flag_at=None,
    )
    flagged, _ = services.case_open(source="frame_flag", category="room_policy", room=room, subject=room.performer)
    assert selectors.room_trust_for_scanner(room.slug).last_flag_at == flagged.created_at  # type: ignore[union-attr]
