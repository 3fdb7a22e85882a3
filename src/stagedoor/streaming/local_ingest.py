"""The ingest server running in this process (embedded `stagedoor run` or `stagedoor ingest`), if any.

Kept apart from `runtime` (which starts the ingest and calls services) so that selectors can
read live stream health without importing upwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ingest import IngestServer

_current: IngestServer | None = None


def current_ingest() -> IngestServer | None:
    return _current


def set_current_ingest(server: IngestServer | None) -> None:
    global _current
    _current = server
