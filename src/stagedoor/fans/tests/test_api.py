"""The fans API and pages end to end: join over HTTP, messages (size limit, idempotency), posts and the media view."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stagedoor.fans import services
from stagedoor.fans.models import FanClub, Message
from stagedoor.rooms.services import room_for_performer
from stagedoor.wallet.selectors import wallet_balance
from stagedoor.wallet.tests.conftest import consent

pytestmark = pytest.mark.django_db


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 200, 0)).save(out, format="PNG")
    return out.getvalue()


def test_join_and_cancel_over_the_api(club: FanClub, funded: Callable[[int], Any], api_client: Any) -> None:
    viewer = funded(150)
    client = api_client(viewer)
    pid = str(club.performer_id)
    assert client.get(f"/api/v1/fans/clubs/{pid}").json()["price"] == 100
    joined = client.post(f"/api/v1/fans/clubs/{pid}/join")
    assert joined.status_code == 200 and joined.json()["in_good_standing"] is True
    again = client.post(f"/api/v1/fans/clubs/{pid}/join")
    assert again.status_code == 409 and again.json()["code"] == "fans.already_member"
    cancelled = client.post(f"/api/v1/fans/clubs/{pid}/cancel").json()
    assert cancelled["cancel_at_period_end"] is True and cancelled["in_good_standing"] is True
    assert wallet_balance(viewer) == 50
    short = api_client(funded(10)).post(f"/api/v1/fans/clubs/{pid}/join")
    assert short.status_code == 402 and short.json()["code"] == "wallet.insufficient_balance"
    performer_put = api_client(club.performer).put("/api/v1/fans/club", {"price": 5}, content_type="application/json")
    assert performer_put.status_code == 422 and performer_put.json()["code"] == "fans.invalid_price"


def test_messages_over_the_api(club: FanClub, funded: Callable[[int], Any], api_client: Any) -> None:
    viewer = funded(0)
    client = api_client(viewer)
    body = {"body": "hello there", "client_key": "c-1", "to": str(club.performer_id)}
    first = client.post("/api/v1/fans/messages", body, content_type="application/json")
    assert first.status_code == 201, first.content
    replay = client.post("/api/v1/fans/messages", body, content_type="application/json")
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
    huge = client.post(
        "/api/v1/fans/messages",
        {"body": "x" * (10 * 1024 * 1024), "client_key": "c-2", "to": str(club.performer_id)},
        content_type="application/json",
    )
    assert huge.status_code == 413 and huge.json()["code"] == "fans.message_too_long"
    assert Message.objects.count() == 1
    thread_id = first.json()["thread_id"]
    listed = api_client(club.performer).get(f"/api/v1/fans/threads/{thread_id}").json()
    assert [m["body"] for m in listed] == ["hello there"]
    outsider = api_client(funded(0)).get(f"/api/v1/fans/threads/{thread_id}")
    assert outsider.status_code == 404


def test_posts_media_view_checks_membership(
    club: FanClub, funded: Callable[[int], Any], api_client: Any, make_user: Callable[..., Any]
) -> None:
    created = api_client(club.performer).post(
        "/api/v1/fans/posts", {"file": SimpleUploadedFile("a.png", png(), "image/png"), "caption": "hey"}
    )
    assert created.status_code == 201, created.content
    url = created.json()["media_url"]
    member, outsider = consent(funded(100)), consent(funded(100))
    services.membership_join(user=member, performer_id=club.performer_id)
    pid = str(club.performer_id)
    assert [p["caption"] for p in api_client(member).get(f"/api/v1/fans/clubs/{pid}/posts").json()] == ["hey"]
    refused = api_client(outsider).get(f"/api/v1/fans/clubs/{pid}/posts")
    assert refused.status_code == 403 and refused.json()["code"] == "fans.members_only"
    fetched = api_client(member).get(url)
    assert fetched.status_code == 200 and fetched["Content-Type"] == "image/jpeg"  # opaque photos become JPEG
    assert fetched["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(fetched.content)).size == (16, 16)
    assert api_client(outsider).get(url).status_code == 404
    assert api_client().get(url).status_code == 302  # to sign in
    bad = api_client(club.performer).post(
        "/api/v1/fans/posts", {"file": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\nbroken", "image/png")}
    )
    assert bad.status_code == 422 and bad.json()["code"] == "fans.media_rejected"


def test_pages_render(club: FanClub, funded: Callable[[int], Any], api_client: Any) -> None:
    room = room_for_performer(performer=club.performer)
    viewer = consent(funded(300))
    page = api_client(viewer).get(f"/r/{room.slug}")
    assert page.status_code == 200 and b'data-testid="fan-join"' in page.content
    joined = api_client(viewer).post(f"/fans/{club.performer_id}/join", {"next": f"/r/{room.slug}"})
    assert joined.status_code == 302 and wallet_balance(viewer) == 200
    page = api_client(viewer).get(f"/r/{room.slug}")
    assert b'data-testid="fan-feed-link"' in page.content
    assert api_client(viewer).get(f"/fans/{club.performer_id}/feed").status_code == 200
    sent = api_client(viewer).post(f"/fans/{club.performer_id}/message", {"body": "hi!"})
    assert sent.status_code == 302
    thread_page = api_client(viewer).get(sent["Location"])
    assert thread_page.status_code == 200 and b"hi!" in thread_page.content
    assert api_client(viewer).get("/messages/").status_code == 200
    studio = api_client(consent(club.performer)).get("/studio")
    assert studio.status_code == 200 and b'data-testid="studio-fan-club"' in studio.content
    outsider = consent(funded(0))
    assert api_client(outsider).get(f"/fans/{club.performer_id}/feed").status_code == 403
