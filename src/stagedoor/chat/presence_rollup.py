"""Copy chat presence (viewers across nodes) into `Room.viewer_count` for the directory.

Embedded: an async service of `stagedoor run`. Production: the `chat.presence_rollup` job,
scheduled by Celery beat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async

from stagedoor.core import jobs

log = logging.getLogger("stagedoor.chat.presence")
INTERVAL_SECONDS = 5.0


@jobs.job("chat.presence_rollup")
def presence_rollup() -> int:
    """Set each live room's viewer count from chat presence. Returns how many rooms changed."""
    from stagedoor.chat.runtime import presence_total_sync
    from stagedoor.rooms.models import Room
    from stagedoor.rooms.services import room_set_viewer_count

    changed = 0
    for room_id, slug, current in Room.objects.exclude(status=Room.Status.OFFLINE).values_list(
        "id", "slug", "viewer_count"
    ):
        count = presence_total_sync(slug)
        if count != current:
            room_set_viewer_count(room_id=room_id, count=count)
            changed += 1
    return changed


async def presence_rollup_service(stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await sync_to_async(presence_rollup, thread_sensitive=False)()
        except Exception:
            log.exception("presence roll-up failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=INTERVAL_SECONDS)
