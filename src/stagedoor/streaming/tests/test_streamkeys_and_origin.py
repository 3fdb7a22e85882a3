"""The Django side: stream keys (hashed, rotatable, CLI), the DB key check, the origin views."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import RequestFactory

from .conftest import streamed_body

if TYPE_CHECKING:
    from pytest_django import Settings


def rotate(login: str) -> str:
    out = io.StringIO()
    call_command("streamkey", "rotate", login, stdout=out)
    return out.getvalue().strip()


def test_rotate_prints_a_new_key_stores_only_its_hash_and_revokes_the_old(make_user: Callable[..., Any]) -> None:
    from stagedoor.core.models import AuditEntry
    from stagedoor.streaming.models import StreamKey, stream_key_hash
    from stagedoor.streaming.runtime import _authorize_sync

    performer = make_user("performer", login="nova")
    first = rotate("nova")
    second = rotate("nova")
    assert first.startswith("live_") and first != second
    keys = StreamKey.objects.filter(user=performer).order_by("created_at")
    assert [k.revoked_at is None for k in keys] == [False, True]
    assert keys[1].key_hash == stream_key_hash(second) and second not in keys[1].key_hash
    assert AuditEntry.objects.filter(action="streaming.stream_key_rotated").count() == 2

    grant = _authorize_sync("live", second)
    assert grant.room == performer.room.slug and grant.label == "nova"


@pytest.mark.parametrize("key", ["", "live_nope_x", "garbage", "live_"])
def test_unknown_keys_are_refused(make_user: Callable[..., Any], key: str) -> None:
    from stagedoor.streaming.ingest import PublishRefused
    from stagedoor.streaming.runtime import _authorize_sync

    make_user("performer", login="nova")
    rotate("nova")
    with pytest.raises(PublishRefused) as info:
        _authorize_sync("live", key)
    assert info.value.code == "NetStream.Publish.Rejected"


def test_revoked_key_is_refused_and_viewers_get_no_key(make_user: Callable[..., Any]) -> None:
    from stagedoor.streaming.ingest import PublishRefused
    from stagedoor.streaming.models import StreamKey
    from stagedoor.streaming.runtime import _authorize_sync

    make_user("performer", login="nova")
    key = rotate("nova")
    call_command("streamkey", "revoke", "nova", stdout=io.StringIO())
    with pytest.raises(PublishRefused):
        _authorize_sync("live", key)
    make_user("viewer", login="vic")
    with pytest.raises(CommandError, match="Only performers"):
        rotate("vic")
    assert not StreamKey.objects.filter(user__login="vic").exists()


def test_a_deactivated_performers_key_is_refused_saying_the_account_is_not_active(
    make_user: Callable[..., Any],
) -> None:
    from stagedoor.streaming.ingest import PublishRefused
    from stagedoor.streaming.runtime import _authorize_sync

    performer = make_user("performer", login="nova")
    key = rotate("nova")
    performer.is_active = False
    performer.save(update_fields=["is_active"])
    with pytest.raises(PublishRefused) as info:
        _authorize_sync("live", key)
    assert info.value.reason == "this account is not active"


@pytest.fixture
def media_dir(settings: Settings, tmp_path: Path) -> Path:
    import dataclasses

    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, media_dir=tmp_path)
    (tmp_path / "nova" / "480p").mkdir(parents=True)
    (tmp_path / "nova" / "master.m3u8").write_text("#EXTM3U\n")
    (tmp_path / "nova" / "_master.m3u8").write_text("private")
    (tmp_path / "nova" / "480p" / "g0_3.m4s").write_bytes(b"segment")
    return tmp_path


def test_embedded_origin_checks_token_and_sets_cache_headers(media_dir: Path) -> None:
    from stagedoor.streaming.selectors import playback_tokens
    from stagedoor.streaming.views import media_auth, media_file

    rf = RequestFactory()
    grant = playback_tokens().issue(room="nova", session_key="s1", now=time.time())
    response = media_file(rf.get("/"), grant.token, "nova", "master.m3u8")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=1"
    assert response["Content-Type"] == "application/vnd.apple.mpegurl"
    assert streamed_body(response) == b"#EXTM3U\n"
    seg = media_file(rf.get("/"), grant.token, "nova", "480p/g0_3.m4s")
    assert seg["Cache-Control"] == "public, max-age=31536000, immutable"
    assert media_file(rf.get("/"), grant.token, "nova", "_master.m3u8").status_code == 404
    expired = playback_tokens().issue(room="nova", session_key="s1", now=time.time() - 7200)
    denied = media_file(rf.get("/"), expired.token, "nova", "master.m3u8")
    assert isinstance(denied, HttpResponse)
    assert denied.status_code == 403 and b"playback.token_expired" in denied.content
    forged = grant.token[:-2] + ("AA" if grant.token[-2:] != "AA" else "BB")
    assert media_file(rf.get("/"), forged, "nova", "master.m3u8").status_code == 403
    assert media_auth(rf.get("/", HTTP_X_ORIGINAL_URI=grant.url())).status_code == 204
    assert media_auth(rf.get("/", HTTP_X_ORIGINAL_URI=f"/live/{forged}/nova/master.m3u8")).status_code == 403
