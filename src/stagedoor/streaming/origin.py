"""What an origin may serve from the media directory, and with which headers.

Shared by the embedded origin (a Django view) and the generated nginx config, so both
answer the same: playlists are cacheable for one second, segments and init segments
forever (their names never repeat), ffmpeg's private files (``_*``) and frame samples
never.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .playback import PlaybackDenied

# Live playlists change every segment: a browser must not reuse one (a cached copy hides
# the newest segment for up to a second, and the player stalls at the live edge); a CDN
# may keep one for a second so that a crowd's requests collapse into one to the origin.
PLAYLIST_CACHE = "public, max-age=0, s-maxage=1"
SEGMENT_CACHE = "public, max-age=31536000, immutable"
THUMB_CACHE = "public, max-age=2"

CONTENT_TYPES = {
    ".m3u8": ("application/vnd.apple.mpegurl", PLAYLIST_CACHE),
    ".m4s": ("video/iso.segment", SEGMENT_CACHE),
    ".mp4": ("video/mp4", SEGMENT_CACHE),
    ".jpg": ("image/jpeg", THUMB_CACHE),
}

MEDIA_NOT_FOUND = "playback.media_not_found"


@dataclass(frozen=True, slots=True)
class MediaFile:
    path: Path
    content_type: str
    cache_control: str


def resolve_media(media_root: Path, room: str, file: str) -> MediaFile:
    parts = file.split("/")
    if len(parts) > 2 or any(p in ("", ".", "..") or p.startswith((".", "_")) for p in parts) or parts[0] == "samples":
        raise PlaybackDenied(MEDIA_NOT_FOUND, "no such media file")
    suffix = Path(parts[-1]).suffix
    if suffix not in CONTENT_TYPES:
        raise PlaybackDenied(MEDIA_NOT_FOUND, "no such media file")
    path = media_root / room / file
    if not path.is_file():
        raise PlaybackDenied(MEDIA_NOT_FOUND, "no such media file")
    content_type, cache = CONTENT_TYPES[suffix]
    return MediaFile(path, content_type, cache)
