"""Fixtures of the verification tests: the fake vendors on loopback, test images and PDFs drawn here."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from stagedoor.verification.tests.fake_vendors import FakeVendors, use_fake_vendors


@pytest.fixture
def vendors(settings: Any) -> Iterator[FakeVendors]:
    fake = FakeVendors()
    use_fake_vendors(settings, fake.url)
    try:
        yield fake
    finally:
        fake.close()


@pytest.fixture(autouse=True)
def _documents_under_tmp(settings: Any, tmp_path: Path) -> None:
    """Each test's documents in its own var dir (the documents directory derives from it)."""
    import dataclasses

    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, var_dir=tmp_path / "var")


def drawn_image(fmt: str = "PNG", size: tuple[int, int] = (320, 200), **save: Any) -> bytes:
    """An invented ID-card-like picture: coloured shapes, no person, no text anyone could mistake for real."""
    image = Image.new("RGB", size, (40, 70, 120))
    draw = ImageDraw.Draw(image)
    draw.rectangle((16, 16, size[0] // 3, size[1] - 16), fill=(220, 200, 160))
    draw.ellipse((size[0] // 2, 30, size[0] - 30, size[1] - 30), fill=(200, 60, 60))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def gps_exif() -> bytes:
    """Raw EXIF (TIFF) bytes with a GPS IFD pointing at an invented place, built by hand (no piexif)."""
    exif = Image.Exif()
    exif[0x010F] = "InventedCam"  # Make
    exif[0x0110] = "Model Z"  # Model
    gps = {1: "N", 2: (52.0, 22.0, 1.5), 3: "E", 4: (4.0, 53.0, 2.5)}  # latitude/longitude
    exif[0x8825] = gps
    return exif.tobytes()
