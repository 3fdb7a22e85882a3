"""Stream sessions (verification's broadcast records: on air from … to …), health incidents (sampled warnings,
`services.stream_incidents_sample`) and the live stream's health now."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from stagedoor.core.timeline import TimelineEntry
from stagedoor.rooms.models import Room
from stagedoor.streaming import selectors as streaming_selectors
from stagedoor.support.models import StreamIncident
from stagedoor.verification.models import Broadcast


def _live_now(room: Room) -> TimelineEntry:
    health = streaming_selectors.stream_health(room.slug)
    if health is None:
        return TimelineEntry(
            at=timezone.now(), source="streaming", kind="stream.live", title="Live now (health not observed here)"
        )
    warnings = "; ".join(w["message"] for w in health.warnings)
    return TimelineEntry(
        at=timezone.now(),
        source="streaming",
        kind="stream.health",
        title=(f"Live now: {health.input_bitrate_kbps:.0f} kbps, {health.fps:.0f} fps, {health.width}×{health.height}"),
        detail=warnings or "no health warnings",
        severity="warning" if health.warnings else "info",
        data={"warnings": [w["code"] for w in health.warnings]},
    )


def sessions(subject_id: str, before: datetime | None, limit: int) -> list[TimelineEntry]:
    out: list[TimelineEntry] = []
    room = Room.objects.filter(performer_id=subject_id).first()
    if room is None:
        return out
    if before is None and room.is_live:
        out.append(_live_now(room))
    broadcasts = Broadcast.objects.filter(performer_id=subject_id)
    incidents = StreamIncident.objects.filter(performer_id=subject_id)
    if before is not None:
        broadcasts = broadcasts.filter(started_at__lt=before)
        incidents = incidents.filter(started_at__lt=before)
    for b in broadcasts.order_by("-started_at")[:limit]:
        minutes = int(((b.ended_at or timezone.now()) - b.started_at).total_seconds() // 60)
        out.append(
            TimelineEntry(
                at=b.started_at,
                source="streaming",
                kind="stream.session",
                title=f"On air {minutes} min" + ("" if b.ended_at else " (still on)"),
                detail=f"as {b.stage_name}",
            )
        )
    for i in incidents.order_by("-started_at")[:limit]:
        minutes = int(((i.ended_at or i.last_seen_at) - i.started_at).total_seconds() // 60)
        out.append(
            TimelineEntry(
                at=i.started_at,
                source="streaming",
                kind="stream.incident",
                title=f"Health warning: {i.code.replace('_', ' ')}" + ("" if i.ended_at else " (ongoing)"),
                detail=f"{i.message} · {minutes} min",
                severity="warning",
            )
        )
    return out
