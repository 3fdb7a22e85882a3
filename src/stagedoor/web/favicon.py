"""/favicon.ico: the site's mark (web/static/web/favicon.svg) drawn as a 32×32 ICO, for browsers and
tools that ask for the .ico before (or instead of) reading the page's <link rel="icon">."""

from __future__ import annotations

import struct
from functools import cache

SIZE = 32
SAMPLES = 4  # per axis: 16 samples a pixel smooth the diamond's and the corners' edges
RADIUS = 7.0
BACKGROUND = (0x0E, 0x0C, 0x14)
MARK = (0xFF, 0x3D, 0x7F)


def _coverage(x: float, y: float) -> tuple[bool, bool]:
    """(inside the rounded square, inside the diamond) for a point in the SVG's 32×32 box."""
    cx = min(max(x, RADIUS), SIZE - RADIUS)
    cy = min(max(y, RADIUS), SIZE - RADIUS)
    in_square = (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS**2
    in_mark = abs(x - 16) + abs(y - 16) <= 12
    return in_square, in_square and in_mark


def _pixel(px: int, py: int) -> tuple[int, int, int, int]:
    square = mark = 0
    for i in range(SAMPLES):
        for j in range(SAMPLES):
            s, m = _coverage(px + (i + 0.5) / SAMPLES, py + (j + 0.5) / SAMPLES)
            square += s
            mark += m
    total = SAMPLES * SAMPLES
    if not square:
        return (0, 0, 0, 0)
    share = mark / square
    rgb = [round(b * (1 - share) + m * share) for b, m in zip(BACKGROUND, MARK, strict=True)]
    return (rgb[0], rgb[1], rgb[2], round(255 * square / total))


@cache
def favicon_ico() -> bytes:
    """One 32×32 32-bit BMP image in an ICO container (bottom-up BGRA rows, then an all-clear AND mask)."""
    pixels = bytearray()
    for py in reversed(range(SIZE)):
        for px in range(SIZE):
            r, g, b, a = _pixel(px, py)
            pixels += bytes((b, g, r, a))
    mask = bytes(SIZE * SIZE // 8)  # 1 bit a pixel, rows padded to 4 bytes (32 px = 4 bytes)
    header = struct.pack("<IiiHHIIiiII", 40, SIZE, SIZE * 2, 1, 32, 0, len(pixels) + len(mask), 0, 0, 0, 0)
    image = header + bytes(pixels) + mask
    directory = struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), 6 + 16)
    return directory + image
