"""Cleaning a fan post's or a message's photo or clip (bytes in, bytes out; no Django).

- The type comes from the content, never the name: JPEG, PNG and WebP photos, MP4/QuickTime and WebM clips.
- Photos are re-encoded from their pixels alone (EXIF orientation applied first) into a fresh image, so no EXIF
  (GPS, camera, time), XMP, ICC profile, comment or text chunk survives. Photos with transparency stay PNG,
  the rest become JPEG.
- Clips are remuxed by ffmpeg without re-encoding: `-map_metadata -1` (global and per-stream tags: title,
  location/GPS, creation time, encoder), `-map_chapters -1`, `-fflags +bitexact` (no muxer/encoder signature),
  video and audio streams only (no data, subtitle or attachment streams, where QuickTime keeps GPS tracks).
- A clip longer than `CLIP_MAX_SECONDS` (its real length: the last timestamp ffmpeg reads in the cleaned file,
  not what its header claims) is refused (`ClipTooLong`).
- A file ffmpeg or Pillow cannot read completely is refused with a sentence for the person; nothing is kept.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000
JPEG_QUALITY = 90
FFMPEG_TIMEOUT_S = 120
CLIP_MAX_SECONDS = 600  # ten minutes


class MediaRefused(Exception):
    """The file cannot be used; the message is for the person who sent it."""


class ClipTooLong(MediaRefused):
    def __init__(self, seconds: float, max_seconds: float) -> None:
        self.seconds, self.max_seconds = seconds, max_seconds
        super().__init__(
            f"This clip is {_clock(seconds)} long; a clip may be at most {_clock(max_seconds)}. Trim it and try again."
        )


def _clock(seconds: float) -> str:
    whole = int(seconds)
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"


@dataclass(frozen=True)
class CleanMedia:
    content: bytes
    content_type: str
    kind: str  # "image" | "video"


def sniff(data: bytes) -> str:
    """The format by its first bytes: JPEG, PNG, WEBP, MP4 (ISO BMFF / QuickTime), WEBM or ""."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free"):
        return "MP4"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "WEBM"
    return ""


def clean_media(data: bytes, *, ffmpeg: str, max_seconds: float = CLIP_MAX_SECONDS) -> CleanMedia:
    kind = sniff(data)
    if not kind:
        raise MediaRefused("This is not a photo (JPEG, PNG, WebP) or a clip (MP4, MOV, WebM).")
    if kind in ("MP4", "WEBM"):
        return clean_clip(data, kind, ffmpeg=ffmpeg, max_seconds=max_seconds)
    return clean_image(data, kind)


def clean_image(data: bytes, kind: str) -> CleanMedia:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != kind:
                raise MediaRefused("The file's content does not match its type.")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise MediaRefused(f"The photo is too large ({width} × {height} pixels).")
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            upright = ImageOps.exif_transpose(img)
    except MediaRefused:
        raise
    except Image.DecompressionBombError:
        raise MediaRefused("The photo is too large.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise MediaRefused("The photo is damaged or incomplete; nothing was saved.") from None
    alpha = "A" in upright.mode or (upright.mode == "P" and "transparency" in upright.info)
    target = "RGBA" if alpha else "RGB"
    if upright.mode != target:
        upright = upright.convert(target)
    # the pixels only, in a new image: its `info` (EXIF, XMP, ICC, comments, text chunks) starts empty
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    out = io.BytesIO()
    if alpha:
        clean.save(out, format="PNG")
        return CleanMedia(out.getvalue(), "image/png", "image")
    clean.save(out, format="JPEG", quality=JPEG_QUALITY)
    return CleanMedia(out.getvalue(), "image/jpeg", "image")


def remux_command(ffmpeg: str, source: str, target: str, *, container: str) -> list[str]:
    """The ffmpeg argument list that copies a clip's audio and video without any metadata (golden-tested)."""
    return [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-v",
        "error",
        "-xerror",
        "-i",
        source,
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-c",
        "copy",
        "-map_metadata",
        "-1",
        "-map_metadata:s:v",
        "-1",
        "-map_metadata:s:a",
        "-1",
        "-map_chapters",
        "-1",
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        *(["-movflags", "+faststart"] if container == "mp4" else []),
        "-f",
        container,
        "-y",
        target,
    ]


def duration_command(ffmpeg: str, source: str) -> list[str]:
    """Read every packet of a clip (no decoding) and report progress: its last `out_time_us` is the clip's length."""
    return [
        ffmpeg,
        "-nostdin",
        "-v",
        "error",
        "-i",
        source,
        "-map",
        "0",
        "-c",
        "copy",
        "-f",
        "null",
        "-progress",
        "pipe:1",
        "-",
    ]


_OUT_TIME = re.compile(rb"^out_time_us=(\d+)$", re.MULTILINE)


def clip_seconds(ffmpeg: str, source: str) -> float:
    """The real length of a (cleaned) clip in seconds, from its packets' timestamps."""
    try:
        done = subprocess.run(  # noqa: S603 - fixed argument list
            duration_command(ffmpeg, source), capture_output=True, timeout=FFMPEG_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise MediaRefused("The clip took too long to process; send a shorter one.") from None
    times = _OUT_TIME.findall(done.stdout)
    if done.returncode != 0 or not times:
        raise MediaRefused("The clip is damaged or incomplete, or has no video; nothing was saved.")
    return int(times[-1]) / 1_000_000


def clean_clip(data: bytes, kind: str, *, ffmpeg: str, max_seconds: float = CLIP_MAX_SECONDS) -> CleanMedia:
    container, content_type = ("webm", "video/webm") if kind == "WEBM" else ("mp4", "video/mp4")
    with tempfile.TemporaryDirectory(prefix="stagedoor-fans-") as tmp:
        source, target = Path(tmp) / "in", Path(tmp) / f"out.{container}"
        source.write_bytes(data)
        try:
            done = subprocess.run(  # noqa: S603 - fixed argument list
                remux_command(ffmpeg, str(source), str(target), container=container),
                capture_output=True,
                timeout=FFMPEG_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise MediaRefused("The clip took too long to process; send a shorter one.") from None
        if done.returncode != 0 or done.stderr.strip() or not target.exists() or target.stat().st_size == 0:
            raise MediaRefused("The clip is damaged or incomplete, or has no video; nothing was saved.")
        seconds = clip_seconds(ffmpeg, str(target))
        if seconds > max_seconds:
            raise ClipTooLong(seconds, max_seconds)
        return CleanMedia(target.read_bytes(), content_type, "video")
