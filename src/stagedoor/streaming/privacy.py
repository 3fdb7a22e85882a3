"""streaming's part of data-subject requests (core.privacy_registry) and of retention (left-over frame samples).

Stream keys are stored hashed; erasure revokes them. Frame samples are handed to moderation and deleted as they
are written; the retention pass removes any a crash left behind (`<media>/<room>/samples/*.jpg`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    RetentionClass,
    RetentionRun,
    register_eraser,
    register_exporter,
    register_retention,
    rows,
)
from stagedoor.rooms.models import Room
from stagedoor.streaming.models import StreamKey


def export_streaming(user: Any) -> ExportData:
    return {
        "stream_keys": rows(
            StreamKey.objects.filter(user=user).order_by("created_at"),
            ["id", "prefix", "created_at", "last_used_at", "revoked_at"],
        )
    }


def erase_streaming(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    result.changed += StreamKey.objects.filter(user=ctx.user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return result


def _old_samples(run: RetentionRun) -> int:
    root = Path(settings.STAGEDOOR.media_dir)
    held_slugs = set(Room.objects.filter(performer_id__in=run.held_user_ids).values_list("slug", flat=True))
    cutoff = run.cutoff.timestamp()
    count = 0
    for sample in root.glob("*/samples/*.jpg"):
        if sample.parent.parent.name in held_slugs:
            continue
        try:
            if sample.stat().st_mtime >= cutoff:
                continue
            if not run.dry_run:
                sample.unlink()
        except FileNotFoundError:
            continue  # the supervisor took it meanwhile
        count += 1
    return count


register_exporter("streaming", export_streaming)
register_eraser("streaming", erase_streaming)
register_retention(
    RetentionClass(
        name="streaming.samples",
        period="stream_samples",
        app_label="streaming",
        description="frame samples left on disk by a crashed transcoder",
        action="delete",
        run=_old_samples,
    )
)
