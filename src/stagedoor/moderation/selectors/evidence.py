"""Where evidence frames live: under the media directory, in a folder no public URL maps to.

Media for playback is served from `<media>/<room slug>/…` (a slug has no dot), so
`<media>/.moderation-evidence/<day>/<item>.jpg` is never reachable from the player's routes; staff open
a frame only through the console, which blurs it until it is revealed on purpose.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings

from stagedoor.moderation.models import Case

EVIDENCE_DIR = ".moderation-evidence"
ITEM_RE = re.compile(r"^[A-Za-z0-9]{1,40}$")
RELATIVE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}/[A-Za-z0-9]{1,40}\.jpg$")


def evidence_root() -> Path:
    return Path(settings.STAGEDOOR.media_dir) / EVIDENCE_DIR


def frames_of(case: Case) -> list[dict[str, Any]]:
    frames = case.evidence.get("frames", []) if isinstance(case.evidence, dict) else []
    return [f for f in frames if isinstance(f, dict) and ITEM_RE.fullmatch(str(f.get("item", "")))]


def evidence_frame_path(case: Case, item: str) -> Path | None:
    """The stored file of one of the case's frames, or None (unknown item, or the file is gone)."""
    for frame in frames_of(case):
        if frame["item"] == item and RELATIVE_RE.fullmatch(str(frame.get("path", ""))):
            path = evidence_root() / str(frame["path"])
            return path if path.is_file() else None
    return None
