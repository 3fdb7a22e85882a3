import struct

import pytest

from stagedoor.streaming import avc
from stagedoor.streaming.flv import FLVWriter, flv_header, flv_tag, inspect_video
from stagedoor.streaming.inspector import (
    VIOLATION_AUDIO_CODEC,
    VIOLATION_BITRATE,
    VIOLATION_RESOLUTION,
    VIOLATION_VIDEO_CODEC,
    WARN_BITRATE_OVER_CAP,
    WARN_KEYFRAME_INTERVAL,
    MediaInspector,
    MediaLimits,
    MediaViolation,
)
from stagedoor.streaming.rtmp import amf0

# AVC sequence header (FLV video payload) from Debian x264 -preset ultrafast, 320x180
AVC_SEQ = bytes.fromhex("17000000000142c00cffe100176742c00cda05067e7c0440000003004000000783c50aa801000468ce0fc8")


def test_sps_gives_cropped_resolution_and_codec_string() -> None:
    config = avc.parse_avc_decoder_config(AVC_SEQ[5:])
    assert (config.sps.width, config.sps.height) == (320, 180)
    assert config.sps.codec_string == "avc1.42c00c"
    assert config.nal_length_size == 4


def test_bad_sequence_header() -> None:
    with pytest.raises(ValueError):
        avc.parse_avc_decoder_config(b"\x01\x42\x00")


def test_flv_header_and_tag_bytes() -> None:
    assert flv_header() == b"FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00"
    assert flv_tag(9, 0x01020304, b"ab") == (
        b"\x09\x00\x00\x02" + b"\x02\x03\x04\x01" + b"\x00\x00\x00" + b"ab" + struct.pack(">I", 13)
    )


def test_writer_waits_for_keyframe_and_primes_restarts() -> None:
    w = FLVWriter()
    w.write_metadata({"width": 320.0})
    assert w.write_video(0, AVC_SEQ) == b""  # kept for the prelude
    assert w.write_audio(0, b"\xaf\x00\x12\x10") == b""
    assert w.write_video(33, b"\x27\x01\x00\x00\x00inter") == b""  # no keyframe yet
    key = w.write_video(66, b"\x17\x01\x00\x00\x00key")
    assert key == flv_tag(9, 66, b"\x17\x01\x00\x00\x00key")
    assert w.write_audio(70, b"\xaf\x01raw") == flv_tag(8, 70, b"\xaf\x01raw")
    prelude = w.restart()
    assert prelude.startswith(flv_header())
    assert flv_tag(18, 0, amf0.encode("onMetaData", amf0.ECMAArray({"width": 320.0}))) in prelude
    assert flv_tag(9, 70, AVC_SEQ) in prelude and flv_tag(8, 70, b"\xaf\x00\x12\x10") in prelude
    assert w.write_video(100, b"\x27\x01\x00\x00\x00inter") == b""
    assert w.write_video(133, b"\x17\x01\x00\x00\x00key") != b""


def test_enhanced_rtmp_hevc_is_recognised() -> None:
    info = inspect_video(b"\x90hvc1" + b"\x00" * 4)
    assert info.is_enhanced and info.fourcc == "hvc1"


def code_of(violation: MediaViolation | None) -> str | None:
    return None if violation is None else violation.code


def test_inspector_refuses_wrong_codecs_and_resolution() -> None:
    ins = MediaInspector()
    v = ins.observe_metadata({"videocodecid": 12.0})
    assert v is not None and v.code == VIOLATION_VIDEO_CODEC and "HEVC is not supported" in v.message
    assert code_of(MediaInspector().observe_metadata({"audiocodecid": 2.0})) == VIOLATION_AUDIO_CODEC
    assert code_of(MediaInspector().observe_metadata({"width": 3840.0, "height": 2160.0})) == VIOLATION_RESOLUTION
    assert MediaInspector().observe_metadata({"width": 1080.0, "height": 1920.0}) is None  # portrait is fine
    assert code_of(MediaInspector().observe_video(0, b"\x12\x00")) == VIOLATION_VIDEO_CODEC  # Sorenson
    assert code_of(MediaInspector().observe_audio(0, b"\x2f\x00")) == VIOLATION_AUDIO_CODEC  # MP3
    small = MediaInspector(MediaLimits(max_long_side=300, max_short_side=200))
    assert code_of(small.observe_video(0, AVC_SEQ)) == VIOLATION_RESOLUTION


def feed(ins: MediaInspector, seconds: float, kbps: int, fps: int = 30, gop_s: float = 1.0) -> MediaViolation | None:
    frame_bytes = int(kbps * 1000 / 8 / fps)
    violation: MediaViolation | None = None
    for n in range(int(seconds * fps)):
        ts = int(n * 1000 / fps)
        key = (n % int(gop_s * fps)) == 0
        payload = (b"\x17" if key else b"\x27") + b"\x01\x00\x00\x00" + b"x" * frame_bytes
        violation = ins.observe_video(ts, payload) or violation
    return violation


def test_measures_fps_bitrate_and_keyframe_interval() -> None:
    ins = MediaInspector()
    assert ins.observe_video(0, AVC_SEQ) is None
    assert feed(ins, 8, 2000) is None
    assert ins.stats.fps == pytest.approx(30, rel=0.02)
    assert ins.stats.bitrate_kbps == pytest.approx(2000, rel=0.05)
    assert ins.stats.keyframe_interval_s == 1.0
    assert ins.stats.width == 320
    assert ins.warnings == {}


def test_long_keyframe_interval_warns_in_plain_words() -> None:
    ins = MediaInspector()
    feed(ins, 10, 1000, gop_s=4)
    warning = ins.warnings[WARN_KEYFRAME_INTERVAL]
    assert "every 4.0 s" in warning.message and "Keyframe Interval" in warning.message


def test_bitrate_over_cap_warns_then_far_over_refuses() -> None:
    ins = MediaInspector(MediaLimits(max_bitrate_kbps=1000))
    assert feed(ins, 8, 1200) is None
    assert WARN_BITRATE_OVER_CAP in ins.warnings
    violation = feed(MediaInspector(MediaLimits(max_bitrate_kbps=1000)), 8, 2000)
    assert violation is not None and violation.code == VIOLATION_BITRATE
