"""The chat REST API: tickets (the permission grid), moderation, held-message review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.chat import codes as C
from stagedoor.chat import runtime, selectors, services
from stagedoor.chat.models import ChatMessage, ChatModerationAction, ChatRestriction
from stagedoor.chat.pipeline.sink import ChatRecord
from stagedoor.chat.ticket import ticket_verify
from stagedoor.core.models import AuditEntry


@pytest.mark.parametrize(
    ("who", "role", "perms"),
    [
        ("anonymous", "anonymous", ["read"]),
        ("viewer", "viewer", ["read", "write"]),
        ("owner", "performer", ["moderate", "read", "write"]),
        ("other_performer", "viewer", ["read", "write"]),
        ("host", "chat_host", ["moderate", "read", "write"]),
        ("moderator", "moderator", ["moderate", "read", "write"]),
        ("admin", "admin", ["moderate", "read", "write"]),
        ("support_l1", "viewer", ["read", "write"]),
        ("finance", "viewer", ["read", "write"]),
    ],
)
def test_ticket_permission_grid(
    ticket_for: Callable[[Any, Any], dict[str, Any]], make_user: Any, room: Any, who: str, role: str, perms: list[str]
) -> None:
    user = None
    if who == "owner":
        user = room.performer
    elif who == "other_performer":
        user = make_user("performer")
    elif who == "host":
        user = make_user("viewer")
        services.chat_host_add(actor=room.performer, room=room, user=user)
    elif who != "anonymous":
        user = make_user(who)
    out = ticket_for(user, room)
    assert (out["role"], out["perms"], out["room"]) == (role, perms, room.slug)
    claims = ticket_verify(out["ticket"], key=runtime.ticket_key(), room=room.slug)
    assert sorted(claims.perms) == perms and claims.role == role
    assert claims.user_id == (str(user.pk) if user else None)


def test_ticket_for_unknown_room_is_404(api_client: Any, db: None) -> None:
    resp = api_client().post("/api/v1/chat/rooms/nope/ticket")
    assert resp.status_code == 404


def test_moderation_api_times_out_and_audits(api_client: Any, make_user: Any, room: Any) -> None:
    viewer = make_user("viewer")
    resp = api_client(room.performer).post(
        f"/api/v1/chat/rooms/{room.slug}/moderation",
        {"action": "timeout", "user_id": viewer.pk, "seconds": 600, "reason": "calm down"},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["action"] == "timeout" and resp.json()["seconds"] == 600
    r = ChatRestriction.objects.get(room=room, user=viewer)
    assert r.kind == "timeout" and r.reason == "calm down" and r.lifted_at is None
    rec = ChatModerationAction.objects.get(room=room)
    assert (rec.action, rec.actor_id, rec.actor_role, rec.target_user_id, rec.duration_seconds) == (
        "timeout",
        room.performer.pk,
        "performer",
        viewer.pk,
        600,
    )
    entry = AuditEntry.objects.get(action="chat.timeout")
    assert entry.actor_id == str(room.performer.pk) and entry.data["target_user"] == str(viewer.pk)
    state = selectors.chat_room_state(room)
    assert str(viewer.pk) in state.timeouts and not state.banned


@pytest.mark.parametrize("who", ["anonymous", "viewer", "other_performer", "support_l1"])
def test_moderation_api_refused_changes_nothing(api_client: Any, make_user: Any, room: Any, who: str) -> None:
    target = make_user("viewer")
    user = None if who == "anonymous" else make_user("performer" if who == "other_performer" else who)
    resp = api_client(user).post(
        f"/api/v1/chat/rooms/{room.slug}/moderation",
        {"action": "ban", "user_id": target.pk},
        content_type="application/json",
    )
    assert resp.status_code == (401 if user is None else 403)
    assert not ChatRestriction.objects.exists() and not ChatModerationAction.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="chat.").exists()


def test_chat_host_cannot_ban_performer_or_moderator(api_client: Any, make_user: Any, room: Any) -> None:
    host = make_user("viewer")
    services.chat_host_add(actor=room.performer, room=room, user=host)
    mod = make_user("moderator")
    for target in (room.performer, mod):
        resp = api_client(host).post(
            f"/api/v1/chat/rooms/{room.slug}/moderation",
            {"action": "ban", "user_id": target.pk},
            content_type="application/json",
        )
        assert resp.status_code == 403 and resp.json()["code"] == C.ERR_FORBIDDEN
    assert not ChatRestriction.objects.exists()
    # a platform moderator may
    resp = api_client(mod).post(
        f"/api/v1/chat/rooms/{room.slug}/moderation",
        {"action": "timeout", "user_id": room.performer.pk, "seconds": 60},
        content_type="application/json",
    )
    assert resp.status_code == 200


def test_moderation_api_validates(api_client: Any, make_user: Any, room: Any) -> None:
    viewer = make_user("viewer")
    url = f"/api/v1/chat/rooms/{room.slug}/moderation"
    c = api_client(room.performer)
    r = c.post(url, {"action": "timeout", "user_id": viewer.pk, "seconds": 30}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == C.ERR_INVALID_DURATION
    r = c.post(url, {"action": "ban"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == C.ERR_BAD_FIELD
    r = c.post(url, {"action": "ban", "user_id": room.performer.pk}, content_type="application/json")
    assert r.status_code == 403  # not yourself
    assert not ChatModerationAction.objects.exists()


def test_mode_ban_unban_round_trip(api_client: Any, make_user: Any, room: Any) -> None:
    viewer = make_user("viewer")
    url = f"/api/v1/chat/rooms/{room.slug}/moderation"
    c = api_client(room.performer)
    assert (
        c.post(url, {"action": "mode", "slow_seconds": 30, "links": False}, content_type="application/json").status_code
        == 200
    )
    assert c.post(url, {"action": "ban", "user_id": viewer.pk}, content_type="application/json").status_code == 200
    state = selectors.chat_room_state(room)
    assert (state.mode.slow_seconds, state.mode.links, state.mode.emails) == (30, False, True)
    assert state.banned == {str(viewer.pk)}
    assert c.post(url, {"action": "unban", "user_id": viewer.pk}, content_type="application/json").status_code == 200
    assert selectors.chat_room_state(room).banned == set()
    assert list(ChatModerationAction.objects.order_by("created_at").values_list("action", flat=True)) == [
        "mode",
        "ban",
        "unban",
    ]


def test_held_message_review(api_client: Any, make_user: Any, room: Any) -> None:
    u = make_user("viewer")
    held = ChatRecord(
        message_id="01HELDMSG0000000000000001",
        room=room.slug,
        seq=None,
        user_id=str(u.pk),
        login=u.login,
        role="viewer",
        text="maybe bad",
        ts=1_700_000_000_000,
        status="held",
        reason="classifier",
    )
    services.chat_messages_write(records=[held], deletions=[])
    url = f"/api/v1/chat/rooms/{room.slug}/held"
    assert api_client(u).get(url).status_code == 403
    listed = api_client(room.performer).get(url)
    assert [m["id"] for m in listed.json()] == [held.message_id]
    r = api_client(room.performer).post(
        f"{url}/{held.message_id}", {"decision": "approve"}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    assert ChatMessage.objects.get(pk=held.message_id).status == "visible"
    again = api_client(room.performer).post(
        f"{url}/{held.message_id}", {"decision": "reject"}, content_type="application/json"
    )
    assert again.status_code == 404
    assert AuditEntry.objects.filter(action="chat.approve").count() == 1
    assert ChatModerationAction.objects.get(action="approve").policy == "classifier_review"
