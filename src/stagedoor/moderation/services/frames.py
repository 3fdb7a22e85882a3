"""The frame scanner's findings become cases: the frame is stored where no public URL reaches it, a hash-list
match opens a `hash_match` case (critical for the prohibited list, recorded with the automated stream end the
scanner already did), a room-policy flag opens a `frame_flag` case. One case per room, list kind and stream-minute:
later findings of the same minute join it (their frames are added)."""

from __future__ import annotations

import hashlib
import logging
import os
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.utils import timezone

from stagedoor.core.ids import new_id
from stagedoor.moderation import policies as P
from stagedoor.moderation import selectors
from stagedoor.moderation.frames.policy import Severity
from stagedoor.moderation.frames.scanner import FrameFinding
from stagedoor.moderation.models import Case
from stagedoor.moderation.services.cases import case_open
from stagedoor.moderation.services.decisions import decision_record_automated
from stagedoor.rooms.models import Room

log = logging.getLogger("stagedoor.moderation")
FRAME_MAX_BYTES = 4 * 1024 * 1024


def evidence_frame_store(jpeg: bytes, *, captured_at: datetime) -> dict[str, Any]:
    """Write a frame under the evidence folder (owner-only permissions); its evidence entry."""
    if not jpeg.startswith(b"\xff\xd8") or len(jpeg) > FRAME_MAX_BYTES:
        raise ValueError("a frame is a JPEG of at most 4 MiB")
    item = new_id()
    day = (captured_at or timezone.now()).strftime("%Y-%m-%d")
    folder = selectors.evidence_root() / day
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{item}.jpg"
    partial = folder / f".{item}.part"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(jpeg)
    os.replace(partial, path)
    return {
        "item": item,
        "path": f"{day}/{item}.jpg",
        "captured_at": captured_at.isoformat() if captured_at else None,
        "sha256": hashlib.sha256(jpeg).hexdigest(),
    }


def _label(severity: Severity) -> str:
    return severity.label if severity.label in P.SEVERITIES else P.MEDIUM


def frame_finding_record(finding: FrameFinding) -> list[Case]:
    """The scanner's sink (`moderation.frames.scanner.FrameFinding`): store the frame, open or join cases.
    Returns the cases the finding went into (none for a room that no longer exists)."""
    room = Room.objects.select_related("performer").filter(slug=finding.room).first()
    if room is None:
        log.warning("frame finding for an unknown room", extra={"room": finding.room})
        return []
    frame = evidence_frame_store(finding.jpeg, captured_at=finding.captured_at)
    frame.update({"width": finding.width, "height": finding.height, "pdq": finding.pdq_hex})
    minute = finding.captured_at.strftime("%Y%m%d%H%M")
    cases: list[Case] = []
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for match in finding.matches:
        kind = str(match.kind)
        by_kind[kind].append(
            {
                "list_name": match.list_name,
                "kind": kind,
                "ref": match.ref,
                "distance": int(match.distance),
                "variant": match.variant,
            }
        )
    for kind, matches in sorted(by_kind.items()):
        if kind not in P.HASH_KIND_CATEGORY:
            continue
        category = P.HASH_KIND_CATEGORY[kind]
        case, _ = case_open(
            source=Case.Source.HASH_MATCH,
            category=category,
            subject=room.performer,
            room=room,
            evidence={"frames": [frame], "hash_matches": matches, "stream_ended": bool(finding.stream_ended)},
            dedupe_key=f"hash:{room.pk}:{kind}:{minute}",
            severity=P.CRITICAL if kind == "prohibited" else None,
        )
        already = case.decisions.filter(automated=True, action=P.END_STREAM).exists()
        if kind == "prohibited" and finding.stream_ended and not already:
            decision_record_automated(
                case=case,
                policy_code=P.HASH_KIND_POLICY[kind],
                action=P.END_STREAM,
                enforcement={"stream": "ended_by_scanner"},
            )
        cases.append(case)
    if finding.flags:
        flags = [
            {
                "category": str(f.category),
                "severity": _label(f.severity),
                "label": f.label,
                "score": round(float(f.score), 3),
                "rule": f.rule,
            }
            for f in finding.flags
        ]
        worst = min((_label(f.severity) for f in finding.flags), key=lambda s: P.SEVERITY_RANK[s])
        detections = [
            {"label": d.label, "score": round(float(d.score), 3), "box": list(d.box)} for d in finding.detections
        ]
        case, _ = case_open(
            source=Case.Source.FRAME_FLAG,
            category="room_policy",
            subject=room.performer,
            room=room,
            evidence={"frames": [frame], "flags": flags, "detections": detections},
            dedupe_key=f"frame:{room.pk}:{minute}",
            severity=worst,
        )
        cases.append(case)
    return cases
