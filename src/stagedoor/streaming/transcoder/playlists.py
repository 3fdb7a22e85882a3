"""Publishing ffmpeg's playlists: wall-clock program date-times and per-generation init maps.

ffmpeg's hls muxer stamps ``EXT-X-PROGRAM-DATE-TIME`` with its own start time, which
is later than the moment the ingest received the first frame (probe + encoder start).
For honest glass-to-glass numbers the publisher shifts every date-time of a transcoder
generation so that the generation's first segment carries the wall-clock time at which
the ingest received that segment's first keyframe.

Each generation (a restart after a crash or a reconnect) writes its own init segment
(``init_g<gen>_<rung>.mp4``); ffmpeg's ``append_list`` keeps only one ``EXT-X-MAP`` at the
top, so the publisher re-inserts the right map after every discontinuity.

``PlaylistRewriter.rewrite`` is pure; ``publish_once`` does the file I/O (atomic rename).
"""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .command import FFMPEG_MASTER, FFMPEG_PLAYLIST, PUBLIC_MASTER, PUBLIC_PLAYLIST

_PDT = "#EXT-X-PROGRAM-DATE-TIME:"
_GEN_RE = re.compile(r"(?:^|/)g(\d+)_\d+\.m4s$")


def parse_pdt(value: str) -> datetime:
    value = value.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    elif re.search(r"[+-]\d{4}$", value):
        value = value[:-2] + ":" + value[-2:]
    return datetime.fromisoformat(value)


def format_pdt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class PlaylistRewriter:
    """Rewrites one rung's media playlist. ``anchors[gen]`` is the ingest wall clock
    (a timezone-aware datetime) of the first keyframe fed to generation ``gen``."""

    def __init__(self, rung: str) -> None:
        self.rung = rung
        self.anchors: dict[int, datetime] = {}
        self._offsets: dict[int, timedelta] = {}
        self._gens_seen: set[int] = set()

    def rewrite(self, text: str) -> str:
        header: list[str] = []
        blocks: list[list[str]] = []
        current: list[str] = []
        for line in text.splitlines():
            if not line.strip() or line.startswith("#EXT-X-MAP:") or line == "#EXT-X-DISCONTINUITY":
                continue  # maps and discontinuities are re-derived from the generations below
            if not blocks and not current and not (line.startswith("#EXTINF") or line.startswith(_PDT)):
                header.append(line)
                continue
            current.append(line)
            if not line.startswith("#"):
                blocks.append(current)
                current = []
        gens = []
        for block in blocks:
            match = _GEN_RE.search(block[-1])
            gens.append(int(match.group(1)) if match else 0)
        self._gens_seen.update(gens)
        out = list(header)
        if gens:
            # every generation boundary is one discontinuity; count those that slid out
            out.append(f"#EXT-X-DISCONTINUITY-SEQUENCE:{sum(1 for g in self._gens_seen if g < gens[0])}")
        previous_gen: int | None = None
        for gen, block in zip(gens, blocks, strict=True):
            if gen != previous_gen:
                if previous_gen is not None:
                    out.append("#EXT-X-DISCONTINUITY")
                out.append(f'#EXT-X-MAP:URI="init_g{gen}_{self.rung}.mp4"')
            for line in block:
                if line.startswith(_PDT):
                    line = _PDT + format_pdt(self._shift(gen, parse_pdt(line[len(_PDT) :])))
                out.append(line)
            previous_gen = gen
        out.extend(current)  # trailing tags (e.g. EXT-X-ENDLIST)
        return "\n".join(out) + "\n"

    def _shift(self, gen: int, moment: datetime) -> datetime:
        offset = self._offsets.get(gen)
        if offset is None:
            anchor = self.anchors.get(gen)
            if anchor is None:
                return moment  # no anchor known: keep ffmpeg's clock
            offset = self._offsets[gen] = moment - anchor  # first segment seen of this generation
        return moment - offset


def rewrite_master(text: str) -> str:
    return text.replace("/" + FFMPEG_PLAYLIST, "/" + PUBLIC_PLAYLIST)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


class PlaylistPublisher:
    """Polls ffmpeg's private playlists under ``root`` and publishes rewritten copies."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.rewriters: dict[str, PlaylistRewriter] = {}
        self._seen: dict[Path, tuple[int, int]] = {}
        self.anchors: dict[int, datetime] = {}
        self.changed_at: dict[str, float] = {}  # rung → monotonic time its playlist last changed

    def set_anchor(self, gen: int, moment: datetime) -> None:
        self.anchors[gen] = moment
        for rewriter in self.rewriters.values():
            rewriter.anchors.setdefault(gen, moment)

    def publish_once(self) -> int:
        """Publish every changed playlist; returns how many were written."""
        written = 0
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            return 0
        for entry in entries:
            if entry.is_dir() and entry.name != "samples":
                source = Path(entry.path) / FFMPEG_PLAYLIST
                if self._changed(source):
                    rewriter = self.rewriters.get(entry.name)
                    if rewriter is None:
                        rewriter = self.rewriters[entry.name] = PlaylistRewriter(entry.name)
                        rewriter.anchors.update(self.anchors)
                    try:
                        text = source.read_text()
                    except FileNotFoundError:
                        continue
                    _atomic_write(source.with_name(PUBLIC_PLAYLIST), rewriter.rewrite(text))
                    self.changed_at[entry.name] = time.monotonic()
                    written += 1
        master = self.root / FFMPEG_MASTER
        if self._changed(master):
            try:
                _atomic_write(self.root / PUBLIC_MASTER, rewrite_master(master.read_text()))
                written += 1
            except FileNotFoundError:
                pass
        return written

    def next_change_due(self, segment_s: float, *, early: float = 0.3) -> float | None:
        """When (monotonic) the first rung is expected to write its playlist again, less a safety margin.

        ffmpeg rewrites each rung's playlist once per segment, rung by rung; there is no point in
        polling while every rung has only just been written. None until every rung has been seen.
        """
        if not self.changed_at:
            return None
        return min(self.changed_at.values()) + segment_s * (1.0 - early)

    def _changed(self, path: Path) -> bool:
        try:
            st = path.stat()
        except FileNotFoundError:
            return False
        key = (st.st_mtime_ns, st.st_size)
        if self._seen.get(path) == key:
            return False
        self._seen[path] = key
        return True
