"""The streaming API and pages: playback grants (consent, regions, offline rooms), the
origin refusing forged and expired tokens, stream keys from the studio, health, staff view,
and the directory's thumbnail route."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from stagedoor.rooms.services import room_for_performer, room_set_blocked_regions, room_set_status, room_set_thumbnail

from .conftest import streamed_body

PLAYBACK = "/api/v1/rooms/{}/playback"
URL_RE = re.compile(r"^/live/(?P<token>[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/nova/master\.m3u8$")


def consented_client(user: Any = None) -> Client:
    """A browser that passed the entry interstitial (as the /enter page records it)."""
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/api/v1/consent",
        data=json.dumps({"age_confirmed": True, "terms_accepted": True}),
        content_type="application/json",
    )
    assert response.status_code == 201
    return client


@pytest.fixture
def media_dir(settings: Any, tmp_path: Any) -> Any:
    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, media_dir=tmp_path)
    return tmp_path


@pytest.fixture
def nova(make_user: Any) -> Any:
    return make_user("performer", login="nova")


def go_live(performer: Any, media_dir: Any) -> Any:
    room = room_for_performer(performer=performer)
    (media_dir / room.slug).mkdir(exist_ok=True)
    (media_dir / room.slug / "master.m3u8").write_text("#EXTM3U\n")
    (media_dir / room.slug / "thumb.jpg").write_bytes(b"\xff\xd8jpeg\xff\xd9")
    room_set_thumbnail(room_id=room.id, path=f"{room.slug}/thumb.jpg")
    room_set_status(room=room, status="live")
    room.refresh_from_db()
    return room


# --- playback grants ---------------------------------------------------------------------------


def test_no_grant_without_entry_consent(nova: Any, media_dir: Any) -> None:
    go_live(nova, media_dir)
    response = Client().post(PLAYBACK.format("nova"))
    assert response.status_code == 403
    assert response.json() == {
        "code": "streaming.consent_required",
        "message": "Confirm your age and accept the terms before watching.",
        "extra": {},
    }
    assert "live" not in response.content.decode().replace("streaming.consent_required", "")


def test_grant_for_a_live_room(nova: Any, media_dir: Any) -> None:
    go_live(nova, media_dir)
    client = consented_client()
    before = time.time()
    response = client.post(PLAYBACK.format("nova"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    match = URL_RE.match(body["url"])
    assert match, body["url"]
    assert body["room"] == "nova" and body["status"] == "live"
    assert body["thumbnail_url"] == "/thumbs/nova.jpg"
    expires = datetime.fromisoformat(body["expires_at"]).timestamp()
    assert int(before) + 1800 <= expires <= time.time() + 1800
    assert body["refresh_in_s"] == 1800 - 120
    # the grant opens the origin: playlist with a short cache life
    playlist = client.get(body["url"])
    assert playlist.status_code == 200 and playlist["Cache-Control"] == "public, max-age=0, s-maxage=1"
    assert streamed_body(playlist) == b"#EXTM3U\n"


def test_offline_room_answers_without_a_grant(nova: Any, media_dir: Any) -> None:
    room_for_performer(performer=nova)
    body = consented_client().post(PLAYBACK.format("nova")).json()
    assert body == {
        "room": "nova",
        "status": "offline",
        "url": None,
        "expires_at": None,
        "refresh_in_s": None,
        "thumbnail_url": None,
    }


def test_region_blocked_viewer_gets_no_grant_but_the_performer_does(nova: Any, media_dir: Any, settings: Any) -> None:
    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, geo_header="CF-IPCountry")
    room = go_live(nova, media_dir)
    room_set_blocked_regions(room=room, actor=nova, regions=["DE"], ip="127.0.0.1")
    viewer = consented_client()
    refused = viewer.post(PLAYBACK.format("nova"), HTTP_CF_IPCOUNTRY="DE")
    assert refused.status_code == 403
    assert refused.json()["code"] == "room.region_blocked"
    assert "url" not in refused.json()
    assert viewer.get("/thumbs/nova.jpg", HTTP_CF_IPCOUNTRY="DE").json()["code"] == "room.region_blocked"
    assert viewer.post(PLAYBACK.format("nova"), HTTP_CF_IPCOUNTRY="FR").json()["status"] == "live"
    own = consented_client(nova).post(PLAYBACK.format("nova"), HTTP_CF_IPCOUNTRY="DE")
    assert own.status_code == 200 and URL_RE.match(own.json()["url"])


@pytest.mark.parametrize("slug", ["nobody", "bad slug", "x" * 80])
def test_unknown_room_is_a_clear_404(slug: str, db: None) -> None:
    response = consented_client().post(PLAYBACK.format(slug))
    assert response.status_code == 404
    assert response.json()["code"] in {"room.not_found", "not_found"}


def test_origin_refuses_forged_expired_and_misdirected_tokens(nova: Any, make_user: Any, media_dir: Any) -> None:
    from stagedoor.streaming.selectors import playback_tokens

    go_live(nova, media_dir)
    go_live(make_user("performer", login="ivy"), media_dir)
    client = consented_client()
    token = URL_RE.match(client.post(PLAYBACK.format("nova")).json()["url"])["token"]  # type: ignore[index]
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    expired = playback_tokens().issue(room="nova", session_key="s", now=time.time() - 3600).token
    cases = {
        f"/live/{forged}/nova/master.m3u8": "playback.token_invalid",
        f"/live/{expired}/nova/master.m3u8": "playback.token_expired",
        f"/live/{token}/ivy/master.m3u8": "playback.token_wrong_room",
        "/live/garbage.garbage/nova/master.m3u8": "playback.token_invalid",
    }
    for url, code in cases.items():
        response = Client().get(url)  # no session either: the token alone decides
        assert response.status_code == 403, url
        assert response.json()["code"] == code, url
        assert response["Cache-Control"] == "no-store"
    assert Client().get(f"/live/{token}/nova/master.m3u8").status_code == 200


# --- the directory's thumbnails ------------------------------------------------------------------


def test_thumbnail_route(nova: Any, media_dir: Any, make_user: Any) -> None:
    from stagedoor.rooms.presenters import room_card

    room = go_live(nova, media_dir)
    client = consented_client()
    response = client.get("/thumbs/nova.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=5"
    assert streamed_body(response) == b"\xff\xd8jpeg\xff\xd9"
    assert room_card(room)["thumbnail_url"] == "/thumbs/nova.jpg"
    listed = client.get("/api/v1/rooms").json()
    assert [r["thumbnail_url"] for r in listed] == ["/thumbs/nova.jpg"]

    room_set_status(room=room, status="offline")
    gone = client.get("/thumbs/nova.jpg")
    assert gone.status_code == 404 and gone.json()["code"] == "streaming.thumbnail_unavailable"
    assert room_card(room)["thumbnail_url"] is None
    assert client.get("/thumbs/nobody.jpg").json()["code"] == "room.not_found"
    # no consent yet: the site's interstitial comes first, as for every page
    assert Client().get("/thumbs/nova.jpg").status_code == 302


# --- studio: stream keys and health -----------------------------------------------------------------


def test_studio_settings_and_key_rotation(nova: Any, make_user: Any, settings: Any) -> None:
    from stagedoor.streaming.models import StreamKey, stream_key_hash

    settings.ALLOWED_HOSTS = ["cams.example.test", "testserver"]
    client = consented_client(nova)
    before = client.get("/api/v1/streaming/mine", HTTP_HOST="cams.example.test:8000").json()
    assert before == {
        "server_url": "rtmp://cams.example.test:1935/live",
        "has_key": False,
        "key_hint": None,
        "key_created_at": None,
        "key_last_used_at": None,
    }
    first = client.post("/api/v1/streaming/mine/key").json()
    second = client.post("/api/v1/streaming/mine/key")
    assert second.status_code == 200 and second["Cache-Control"] == "no-store"
    key = second.json()["stream_key"]
    assert key.startswith("live_") and key != first["stream_key"]
    active = StreamKey.objects.get(user=nova, revoked_at__isnull=True)
    assert active.key_hash == stream_key_hash(key)
    assert StreamKey.objects.filter(user=nova).count() == 2
    settings_now = client.get("/api/v1/streaming/mine").json()
    assert settings_now["has_key"] is True
    assert settings_now["key_hint"] == f"live_{active.prefix}_…"
    assert key not in json.dumps(settings_now)

    viewer = consented_client(make_user("viewer"))
    refused = viewer.post("/api/v1/streaming/mine/key")
    assert refused.status_code == 403 and refused.json()["code"] == "auth.forbidden"
    assert StreamKey.objects.count() == 2


def test_health_without_an_ingest_in_this_process(nova: Any, make_user: Any, media_dir: Any, settings: Any) -> None:
    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, redis_url=None)  # nothing shares health either
    go_live(nova, media_dir)
    body = consented_client(nova).get("/api/v1/streaming/mine/health").json()
    assert body == {"room": "nova", "status": "live", "observed": False, "health": None}
    staff = consented_client(make_user("moderator")).get("/api/v1/staff/streams").json()
    assert staff["observed"] is False
    assert [(s["room"], s["performer"], s["status"], s["health"]) for s in staff["streams"]] == [
        ("nova", "nova", "live", None)
    ]


def test_health_shared_by_an_ingest_on_another_node(
    nova: Any, make_user: Any, media_dir: Any, settings: Any, redis_url: str
) -> None:
    import redis

    from stagedoor.streaming import health_store
    from stagedoor.streaming.health import StreamHealth

    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, redis_url=redis_url)
    health_store._readers.clear()
    go_live(nova, media_dir)
    key = health_store.KEY.format(room="nova")
    redis.Redis.from_url(redis_url).delete(key)
    assert consented_client(nova).get("/api/v1/streaming/mine/health").json()["health"] is None  # nothing fresh
    shared = StreamHealth("nova", "live", 30.0, 2400.0, 30.0, 1.0, 1280, 720, "avc1.64001f", "mp4a.40.2", 0, 1.0, 0)
    redis.Redis.from_url(redis_url).set(key, health_store.encode(shared), ex=health_store.TTL_S)
    body = consented_client(nova).get("/api/v1/streaming/mine/health").json()
    assert body["observed"] is True and body["health"]["width"] == 1280 and body["health"]["fps"] == 30.0
    staff = consented_client(make_user("moderator")).get("/api/v1/staff/streams").json()
    assert staff["observed"] is True and staff["streams"][0]["health"]["input_bitrate_kbps"] == 2400.0


def test_studio_page_includes_the_stream_panel(nova: Any) -> None:
    page = consented_client(nova).get("/studio").content.decode()
    assert 'data-testid="studio-stream"' in page and "streaming/studio.js" in page


def test_room_page_includes_the_player(nova: Any, media_dir: Any) -> None:
    go_live(nova, media_dir)
    page = consented_client().get("/r/nova").content.decode()
    assert 'data-player data-room="nova" data-status="live"' in page
    assert 'poster="/thumbs/nova.jpg"' in page
    assert "web/vendor/hls.min.js" in page and "streaming/player.js" in page
    assert "<script>" not in page  # CSP: no inline scripts
