"""Decode a frame sample once, at the size the scan needs.

The detector sees the frame at 320 px and PDQ works on a 64×64 reduction, so a 720p sample
need not be decoded at full size: libjpeg scales by 1/2, 1/4 or 1/8 while decoding (most of the
cost of a decode and of PDQ's luma pass is per pixel). The size comes from the JPEG's frame
header, read without decoding.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

MIN_LONG_SIDE = 640  # decode at least this many pixels along the longer side (2× the detector's input)

_REDUCED = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}
# start-of-frame markers: C0–CF but DHT (C4), JPG (C8) and DAC (CC)
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset(range(0xD0, 0xD8)) | {0x01}


class UndecodableFrame(ValueError):
    """Not a JPEG, or a damaged one."""


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    image: npt.NDArray[np.uint8]  # BGR, possibly reduced
    width: int  # the sample's own size
    height: int

    @property
    def scale(self) -> float:
        """Frame pixels per decoded pixel."""
        return self.width / int(self.image.shape[1])


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame header."""
    if data[:2] != b"\xff\xd8":
        raise UndecodableFrame("not a JPEG (no start-of-image marker)")
    i, end = 2, len(data)
    while i + 4 <= end:
        if data[i] != 0xFF:
            raise UndecodableFrame(f"damaged JPEG: expected a marker at byte {i}")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in _STANDALONE:
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if marker in _SOF:
            if i + 9 > end:
                break
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            if not width or not height:
                raise UndecodableFrame("JPEG frame header gives no size")
            return width, height
        if marker == 0xDA or length < 2:  # scan data before any frame header
            break
        i += 2 + length
    raise UndecodableFrame("damaged JPEG: no frame header")


def reduction_for(width: int, height: int, min_long_side: int = MIN_LONG_SIDE) -> int:
    """The largest libjpeg scale-down (1, 2, 4, 8) that keeps ``min_long_side`` pixels."""
    long_side = max(width, height)
    factor = 1
    while factor < 8 and long_side // (factor * 2) >= min_long_side:
        factor *= 2
    return factor


def decode_jpeg(data: bytes, *, min_long_side: int = MIN_LONG_SIDE) -> DecodedFrame:
    width, height = jpeg_size(data)
    flag = _REDUCED[reduction_for(width, height, min_long_side)]
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    if image is None or image.ndim != 3:
        raise UndecodableFrame("damaged JPEG: the decoder gave no image")
    return DecodedFrame(np.asarray(image, dtype=np.uint8), width, height)
