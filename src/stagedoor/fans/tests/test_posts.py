"""Fan-only posts: metadata stripped from photos and clips (checked with Pillow and ffprobe), corrupt uploads
refused with nothing stored, only members in good standing (and the performer, staff) see the feed and files."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from stagedoor.fans import errors, selectors, services, vault
from stagedoor.fans.media import remux_command
from stagedoor.fans.models import FanClub, FanPost, MediaItem
from stagedoor.streaming.ingest import ffmpeg_binary

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam Inc"  # Make
    exif[0x0132] = "2024:01:02 03:04:05"  # DateTime
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif, comment=b"shot at home")
    return out.getvalue()


def clip_with_metadata(tmp: Path) -> bytes:
    target = tmp / "clip.mp4"
    chapters = tmp / "chapters.txt"
    chapters.write_text(";FFMETADATA1\ntitle=Global Secret\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=500\ntitle=Ch1\n")
    subprocess.run(
        [
            ffmpeg_binary(""),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48:rate=10:duration=1",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=1",
            "-i",
            str(chapters),
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-map_metadata",
            "2",
            "-map_chapters",
            "2",
            "-metadata",
            "title=My Secret Title",
            "-metadata",
            "location=+48.8577+002.2950/",
            "-metadata",
            "comment=home address",
            "-metadata:s:v",
            "handler_name=SecretCam",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-y",
            str(target),
        ],
        check=True,
        timeout=60,
    )
    return target.read_bytes()


def ffprobe(path: Path) -> dict[str, Any]:
    probe = shutil.which("ffprobe")
    if probe is None:
        pytest.skip("ffprobe is not installed")
    done = subprocess.run(
        [probe, "-v", "error", "-show_format", "-show_streams", "-show_chapters", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        timeout=30,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def stored_bytes(media: MediaItem) -> bytes:
    return services.media_content(media)


def test_remux_command_is_exactly_this() -> None:
    assert remux_command("ffmpeg", "in", "out.mp4", container="mp4") == [
        *("ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-xerror", "-i", "in"),
        *("-map", "0:v:0", "-map", "0:a:0?", "-c", "copy"),
        *("-map_metadata", "-1", "-map_metadata:s:v", "-1", "-map_metadata:s:a", "-1", "-map_chapters", "-1"),
        *("-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"),
        *("-movflags", "+faststart", "-f", "mp4", "-y", "out.mp4"),
    ]


def test_a_photo_loses_exif_gps_and_comments(club: FanClub) -> None:
    original = jpeg_with_exif()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS_IFD)  # the synthetic photo does carry GPS
    post = services.post_create(performer=club.performer, data=original, caption="beach day")
    content = stored_bytes(post.media)
    with Image.open(io.BytesIO(content)) as after:
        assert after.format == "JPEG" and after.size == (64, 48)
        assert len(after.getexif()) == 0
        assert "exif" not in after.info and "comment" not in after.info and "icc_profile" not in after.info
    assert b"SecretCam" not in content and b"Exif" not in content and b"shot at home" not in content
    # at rest the file is sealed: neither the pixels nor a JPEG header are readable on disk
    raw = vault.read_file(post.media.path)
    assert raw.startswith(vault.MAGIC) and b"\xff\xd8\xff" not in raw[:16]


def test_a_clip_loses_title_location_chapters_and_encoder(club: FanClub, tmp_path: Path) -> None:
    source = clip_with_metadata(tmp_path)
    src_path = tmp_path / "source.mp4"
    src_path.write_bytes(source)
    before = ffprobe(src_path)
    assert before["format"]["tags"]["title"] == "My Secret Title" and before["chapters"]
    post = services.post_create(performer=club.performer, data=source, caption="clip")
    assert post.media.kind == "video" and post.media.content_type == "video/mp4"
    out = tmp_path / "stored.mp4"
    out.write_bytes(stored_bytes(post.media))
    after = ffprobe(out)
    assert after["chapters"] == []
    tags = after["format"].get("tags", {})
    assert not {"title", "location", "comment", "encoder", "location-eng"} & set(tags)
    assert {s["codec_type"] for s in after["streams"]} == {"video", "audio"}
    for stream in after["streams"]:
        assert "SecretCam" not in json.dumps(stream.get("tags", {}))
    blob = out.read_bytes()
    for secret in (b"My Secret Title", b"+48.8577", b"home address", b"Ch1", b"SecretCam", b"Lavf"):
        assert secret not in blob


@pytest.mark.parametrize("kind", ["jpeg", "clip", "junk"])
def test_a_corrupt_upload_is_refused_and_nothing_is_stored(club: FanClub, tmp_path: Path, kind: str) -> None:
    if kind == "jpeg":
        data = jpeg_with_exif()[:200]
    elif kind == "clip":
        whole = clip_with_metadata(tmp_path)
        data = whole[: len(whole) // 3]
    else:
        data = b"this is not media at all" * 10
    files_before = sorted(vault.media_root().rglob("*")) if vault.media_root().exists() else []
    with pytest.raises(errors.MediaRejected) as refused:
        services.post_create(performer=club.performer, data=data)
    assert refused.value.message
    assert not FanPost.objects.exists() and not MediaItem.objects.exists()
    files_after = sorted(vault.media_root().rglob("*")) if vault.media_root().exists() else []
    assert files_after == files_before


def test_a_file_over_the_limit_is_refused(club: FanClub, settings: Any) -> None:
    cfg = settings.STAGEDOOR
    settings.STAGEDOOR = replace(cfg, fans=replace(cfg.fans, upload_max_mb=1))
    with pytest.raises(errors.MediaTooLarge) as too_large:
        services.post_create(performer=club.performer, data=b"\xff\xd8\xff" + b"\0" * (1024 * 1024))
    assert too_large.value.status == 413
    assert not MediaItem.objects.exists()


def test_only_members_in_good_standing_the_performer_and_staff_see_posts(
    club: FanClub, funded: Callable[[int], Any], make_user: Callable[..., Any]
) -> None:
    post = services.post_create(performer=club.performer, data=jpeg_with_exif(), caption="hi fans")
    member, outsider = funded(200), funded(200)
    services.membership_join(user=member, performer_id=club.performer_id)
    moderator = make_user("moderator")
    for who in (member, club.performer, moderator):
        assert [p.pk for p in selectors.access_post_list(who, club)] == [post.pk]
        assert selectors.access_media(who, post.media_id) == post.media
    with pytest.raises(errors.MembersOnly):
        selectors.access_post_list(outsider, club)
    with pytest.raises(errors.MediaNotFound):
        selectors.access_media(outsider, post.media_id)
    services.post_remove(actor=club.performer, post_id=post.pk)
    assert list(selectors.access_post_list(member, club)) == []
    with pytest.raises(errors.MediaNotFound):
        selectors.access_media(member, post.media_id)


def test_posting_needs_a_performer(make_user: Callable[..., Any]) -> None:
    with pytest.raises(errors.NotAPerformer):
        services.post_create(performer=make_user(), data=jpeg_with_exif())
