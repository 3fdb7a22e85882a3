"""Synthetic test media for the frame-scanning tests (ffmpeg test patterns, shapes drawn with
OpenCV), and the tests of decoding a sample once (``frames/image.py``)."""

from __future__ import annotations

import subprocess
from functools import cache

import cv2
import numpy as np
import numpy.typing as npt
import pdqhash
import pytest

from stagedoor.moderation.frames.image import UndecodableFrame, decode_jpeg, jpeg_size, reduction_for
from stagedoor.streaming.ingest import ffmpeg_binary

type Image = npt.NDArray[np.uint8]


@cache
def pattern(source: str, size: str = "1280x720") -> Image:
    """One frame of an ffmpeg lavfi test source, lossless (PNG), as BGR."""
    argv = [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", f"{source}=size={size}:rate=1"]
    argv += ["-frames:v", "1", "-c:v", "png", "-f", "image2pipe", "-"]
    png = subprocess.run(argv, capture_output=True, check=True, timeout=60).stdout
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    image.flags.writeable = False
    return np.asarray(image, dtype=np.uint8)


@cache
def drawn(seed: int, width: int = 1280, height: int = 720) -> Image:
    """A made-up picture: a background colour and a dozen filled circles and rectangles."""
    rng = np.random.default_rng(seed)
    image = np.zeros((height, width, 3), np.uint8)
    image[:] = rng.integers(0, 255, 3)
    for _ in range(12):
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        if rng.random() < 0.5:
            centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            cv2.circle(image, centre, int(rng.integers(30, 200)), colour, -1)
        else:
            corner1 = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            corner2 = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            cv2.rectangle(image, corner1, corner2, colour, -1)
    image.flags.writeable = False
    return image


def to_jpeg(image: Image, quality: int = 85) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return data.tobytes()


def reference_hash(image: Image) -> str:
    """PDQ as an outside hash list computes it: the full-size original, ``pdqhash.compute`` on RGB,
    written most significant bit first (pdqhash's vector is already in that order)."""
    bits, _quality = pdqhash.compute(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    return f"{int(''.join(str(int(b)) for b in bits), 2):064x}"


# ----- decoding a sample once -------------------------------------------------------------------


def test_jpeg_size_reads_the_frame_header_of_baseline_and_progressive_jpegs() -> None:
    image = drawn(1, 854, 480)
    assert jpeg_size(to_jpeg(image)) == (854, 480)
    ok, progressive = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
    assert ok and jpeg_size(progressive.tobytes()) == (854, 480)


@pytest.mark.parametrize(
    ("size", "factor", "decoded"),
    [
        ((1280, 720), 2, (640, 360)),
        ((854, 480), 1, (854, 480)),
        ((3840, 2160), 4, (960, 540)),
        ((640, 360), 1, (640, 360)),
    ],
)
def test_a_sample_is_decoded_reduced_to_at_least_640_pixels_across(
    size: tuple[int, int], factor: int, decoded: tuple[int, int]
) -> None:
    width, height = size
    assert reduction_for(width, height) == factor
    frame = decode_jpeg(to_jpeg(drawn(2, width, height)))
    assert (frame.width, frame.height) == size
    assert (frame.image.shape[1], frame.image.shape[0]) == decoded
    assert frame.scale == width / decoded[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a JPEG (no start-of-image marker)"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a JPEG (no start-of-image marker)"),
        # an APP0 segment (16 bytes with its length) and then no marker where the next one belongs
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 9 + b"\x00" * 8, "damaged JPEG: expected a marker at byte 20"),
        (b"\xff\xd8\xff\xda\x00\x08" + b"\x00" * 30, "damaged JPEG: no frame header"),
    ],
)
def test_what_is_not_a_jpeg_is_refused_with_a_clear_reason(data: bytes, message: str) -> None:
    with pytest.raises(UndecodableFrame) as caught:
        decode_jpeg(data)
    assert str(caught.value) == message


def test_a_truncated_jpeg_with_a_header_but_no_image_data_is_refused() -> None:
    data = to_jpeg(drawn(3, 640, 360))
    header_end = data.index(b"\xff\xda")  # start of scan: everything before it is headers
    with pytest.raises(UndecodableFrame) as caught:
        decode_jpeg(data[: header_end + 4])
    assert str(caught.value) == "damaged JPEG: the decoder gave no image"
