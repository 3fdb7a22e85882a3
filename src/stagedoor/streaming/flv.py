"""FLV: the byte stream the ingest pipes into the transcoder's stdin, plus tag inspection.

``FLVWriter`` turns RTMP metadata/audio/video messages into an FLV header and tags.
It keeps the latest metadata and the AVC/AAC sequence headers so every transcoder
generation (first start, restart after a crash) is primed with them and fed from a
keyframe. Pure: no I/O.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from .rtmp import amf0

TAG_AUDIO = 8
TAG_VIDEO = 9
TAG_SCRIPT = 18

VIDEO_CODEC_AVC = 7
SOUND_FORMAT_AAC = 10

FRAME_KEY = 1


@dataclass(frozen=True, slots=True)
class VideoTagInfo:
    codec_id: int
    frame_type: int
    is_sequence_header: bool
    is_enhanced: bool
    fourcc: str | None

    @property
    def is_keyframe(self) -> bool:
        return self.frame_type == FRAME_KEY


@dataclass(frozen=True, slots=True)
class AudioTagInfo:
    sound_format: int
    is_sequence_header: bool


def inspect_video(payload: bytes) -> VideoTagInfo:
    if not payload:
        return VideoTagInfo(0, 0, False, False, None)
    b0 = payload[0]
    if b0 & 0x80:  # Enhanced RTMP: [IsExHeader | FrameType:3 | PacketType:4] + FourCC
        fourcc = payload[1:5].decode("latin-1") if len(payload) >= 5 else ""
        return VideoTagInfo(-1, (b0 >> 4) & 0x07, (b0 & 0x0F) == 0, True, fourcc)
    codec = b0 & 0x0F
    is_seq = codec == VIDEO_CODEC_AVC and len(payload) > 1 and payload[1] == 0
    return VideoTagInfo(codec, b0 >> 4, is_seq, False, None)


def inspect_audio(payload: bytes) -> AudioTagInfo:
    if not payload:
        return AudioTagInfo(-1, False)
    fmt = payload[0] >> 4
    return AudioTagInfo(fmt, fmt == SOUND_FORMAT_AAC and len(payload) > 1 and payload[1] == 0)


def flv_header(*, audio: bool = True, video: bool = True) -> bytes:
    flags = (4 if audio else 0) | (1 if video else 0)
    return b"FLV\x01" + bytes((flags,)) + struct.pack(">I", 9) + b"\x00\x00\x00\x00"


def flv_tag(tag_type: int, timestamp: int, data: bytes) -> bytes:
    ts = timestamp & 0xFFFFFFFF
    size = len(data)
    header = (
        bytes((tag_type,))
        + size.to_bytes(3, "big")
        + (ts & 0xFFFFFF).to_bytes(3, "big")
        + bytes((ts >> 24,))
        + b"\x00\x00\x00"
    )
    return header + data + struct.pack(">I", size + 11)


def metadata_tag(metadata: dict[str, Any]) -> bytes:
    clean = amf0.ECMAArray({k: v for k, v in metadata.items() if isinstance(v, (str, float, int, bool))})
    return flv_tag(TAG_SCRIPT, 0, amf0.encode("onMetaData", clean))


class FLVWriter:
    """Turns one publisher's messages into FLV tags for the transcoder.

    It starts out waiting for a keyframe (a transcoder must begin with one) and keeps
    the metadata and sequence headers, which ``prelude`` replays at the start of every
    transcoder generation. ``restart`` returns that prelude and makes video wait for the
    next keyframe again (audio is held back too, so both start together).
    """

    def __init__(self) -> None:
        self.metadata: dict[str, Any] | None = None
        self.video_sequence_header: bytes | None = None
        self.audio_sequence_header: bytes | None = None
        self.waiting_for_keyframe = True
        self.last_timestamp = 0

    def prelude(self, timestamp: int | None = None) -> bytes:
        ts = self.last_timestamp if timestamp is None else timestamp
        out = flv_header(audio=self.audio_sequence_header is not None or self._declares_audio(), video=True)
        if self.metadata is not None:
            out += metadata_tag(self.metadata)
        if self.video_sequence_header is not None:
            out += flv_tag(TAG_VIDEO, ts, self.video_sequence_header)
        if self.audio_sequence_header is not None:
            out += flv_tag(TAG_AUDIO, ts, self.audio_sequence_header)
        return out

    def _declares_audio(self) -> bool:
        return bool(self.metadata and self.metadata.get("audiocodecid") is not None)

    def restart(self) -> bytes:
        self.waiting_for_keyframe = True
        return self.prelude()

    def write_metadata(self, metadata: dict[str, Any]) -> bytes:
        self.metadata = metadata
        return b"" if self.waiting_for_keyframe else metadata_tag(metadata)

    def write_audio(self, timestamp: int, payload: bytes) -> bytes:
        if inspect_audio(payload).is_sequence_header:
            self.audio_sequence_header = payload
        if self.waiting_for_keyframe:
            return b""
        self.last_timestamp = timestamp
        return flv_tag(TAG_AUDIO, timestamp, payload)

    def write_video(self, timestamp: int, payload: bytes, info: VideoTagInfo | None = None) -> bytes:
        info = info or inspect_video(payload)
        if info.is_sequence_header:
            self.video_sequence_header = payload
            if self.waiting_for_keyframe:
                return b""
        elif self.waiting_for_keyframe:
            if not info.is_keyframe:
                return b""
            self.waiting_for_keyframe = False
        self.last_timestamp = timestamp
        return flv_tag(TAG_VIDEO, timestamp, payload)
