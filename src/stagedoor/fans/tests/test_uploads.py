"""Upload limits of the two multipart endpoints and the studio form: a request declaring more than the limit is
refused before its body is read; a body that passes the limit while it streams in is stopped there; a clip longer
than ten minutes is refused with its length. Nothing is kept in any of these cases."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from PIL import Image

from stagedoor.fans import errors, services
from stagedoor.fans.media import CLIP_MAX_SECONDS, duration_command
from stagedoor.fans.models import FanClub, FanPost, MediaItem
from stagedoor.streaming.ingest import ffmpeg_binary
from stagedoor.wallet.tests.conftest import consent

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
ENDPOINTS = ["/api/v1/fans/posts", "/api/v1/fans/media"]


@pytest.fixture
def one_mb(settings: Any) -> None:
    cfg = settings.STAGEDOOR
    settings.STAGEDOOR = replace(cfg, fans=replace(cfg.fans, upload_max_mb=1))


def png_of(size: int) -> bytes:
    """A real PNG padded past `size` bytes (a trailing chunk-less tail): large, and a photo at its start."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 0)).save(out, format="PNG")
    return out.getvalue() + b"\0" * max(0, size - out.tell())


def multipart(data: bytes) -> bytes:
    return encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("big.png", data, "image/png"), "caption": "x"})


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the body was read")

    def readline(self, *args: Any) -> bytes:
        raise AssertionError("the body was read")


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_declared_length_over_the_limit_is_refused_unread(
    url: str, club: FanClub, api_client: Any, one_mb: None
) -> None:
    response = api_client(club.performer).generic(
        "POST", url, b"", content_type=MULTIPART_CONTENT, CONTENT_LENGTH=str(50 * MB), **{"wsgi.input": Unreadable()}
    )
    assert response.status_code == 413, response.content
    assert response.json()["code"] == "fans.media_too_large" and response.json()["extra"]["max_bytes"] == MB
    assert not MediaItem.objects.exists() and not FanPost.objects.exists()


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_file_past_the_limit_is_stopped_while_it_streams(
    url: str, club: FanClub, api_client: Any, one_mb: None
) -> None:
    # declared within limit + form overhead, so only counting the bytes as they arrive catches it
    body = multipart(png_of(MB + 100 * 1024))
    response = api_client(club.performer).generic("POST", url, body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 413, response.content
    assert response.json()["code"] == "fans.media_too_large"
    assert not MediaItem.objects.exists() and not FanPost.objects.exists()
    # just under the limit goes through the same endpoint
    ok = api_client(club.performer).generic("POST", url, multipart(png_of(MB - 4096)), content_type=MULTIPART_CONTENT)
    assert ok.status_code == 201, ok.content
    assert MediaItem.objects.count() == 1


def test_a_missing_file_is_a_field_error(club: FanClub, api_client: Any) -> None:
    response = api_client(club.performer).post("/api/v1/fans/media", {"caption": "no file"})
    assert response.status_code == 422 and response.json()["extra"]["fields"] == {"file": ["Choose a photo or a clip."]}


def test_anonymous_and_viewers_still_get_401_and_403(funded: Callable[[int], Any], api_client: Any) -> None:
    body = multipart(png_of(1024))
    assert api_client().generic("POST", "/api/v1/fans/media", body, content_type=MULTIPART_CONTENT).status_code == 401
    viewer = api_client(funded(0)).generic("POST", "/api/v1/fans/media", body, content_type=MULTIPART_CONTENT)
    assert viewer.status_code == 403 and not MediaItem.objects.exists()


def test_the_studio_form_refuses_big_files_declared_or_streamed(club: FanClub, api_client: Any, one_mb: None) -> None:
    client = api_client(consent(club.performer))
    declared = client.generic(
        "POST",
        "/studio/fan-club/posts",
        b"",
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(50 * MB),
        **{"wsgi.input": Unreadable()},
    )
    assert declared.status_code == 302 and declared["Location"] == "/studio"
    streamed = client.generic(
        "POST", "/studio/fan-club/posts", multipart(png_of(MB + 100 * 1024)), content_type=MULTIPART_CONTENT
    )
    assert streamed.status_code == 302
    page = client.get("/studio").content.decode()
    assert "larger than 1 MB; nothing was posted" in page
    assert not MediaItem.objects.exists() and not FanPost.objects.exists()


def test_the_studio_form_still_checks_csrf(club: FanClub, api_client: Any) -> None:
    client = api_client(consent(club.performer), csrf=True)
    response = client.post("/studio/fan-club/posts", {"file": SimpleUploadedFile("a.png", png_of(0), "image/png")})
    assert response.status_code == 403 and not MediaItem.objects.exists()


def test_duration_command_is_exactly_this() -> None:
    assert duration_command("ffmpeg", "in.mp4") == [
        "ffmpeg", "-nostdin", "-v", "error", "-i", "in.mp4", "-map", "0", "-c", "copy",
        "-f", "null", "-progress", "pipe:1", "-",
    ]  # fmt: skip


def tiny_clip(tmp: Path, seconds: int) -> bytes:
    target = tmp / f"clip{seconds}.mp4"
    subprocess.run(
        [
            ffmpeg_binary(""), "-v", "error", "-f", "lavfi", "-i", f"testsrc=size=32x32:rate=1:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-y", str(target),
        ],
        check=True,
        timeout=120,
    )  # fmt: skip
    return target.read_bytes()


def test_a_clip_over_ten_minutes_is_refused_with_its_length(club: FanClub, tmp_path: Path) -> None:
    assert CLIP_MAX_SECONDS == 600
    with pytest.raises(errors.ClipTooLong) as too_long:
        services.post_create(performer=club.performer, data=tiny_clip(tmp_path, 640))
    assert too_long.value.code == "fans.clip_too_long" and too_long.value.status == 422
    assert too_long.value.extra["max_seconds"] == 600 and too_long.value.extra["seconds"] >= 600
    assert "a clip may be at most 10 min" in too_long.value.message
    assert not MediaItem.objects.exists() and not FanPost.objects.exists()
    short = services.media_upload(owner=club.performer, data=tiny_clip(tmp_path, 5))
    assert short.kind == "video"
