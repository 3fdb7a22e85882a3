"""The Django side: tickets (permission grid), moderation services and API, persistence,
and the gateway wired to the database end to end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

try:
    from django.conf import settings

    _installed = "stagedoor.chat" in settings.INSTALLED_APPS
except Exception:  # settings not configured (run with -p no:django)
    _installed = False
if not _installed:
    pytest.skip(
        "stagedoor.chat is not in INSTALLED_APPS (run with --ds=stagedoor.chat.tests.settings_chat)",
        allow_module_level=True,
    )

from stagedoor.chat import codes as C
from stagedoor.chat import protocol as P
from stagedoor.chat import runtime, selectors, services
from stagedoor.chat.models import ChatHost, ChatMessage, ChatModerationAction, ChatRestriction
from stagedoor.chat.pipeline.sink import ChatRecord, DeletionRecord
from stagedoor.chat.ticket import ticket_verify
from stagedoor.core.models import AuditEntry

from .support import ChatClient, run


@pytest.fixture
def room(make_user: Any) -> Any:
    from stagedoor.rooms.services import room_for_performer

    return room_for_performer(performer=make_user("performer", login="star"))


def _ticket_for(api_client: Any, user: Any, room: Any) -> dict[str, Any]:
    resp = api_client(user).post(f"/api/v1/chat/rooms/{room.slug}/ticket", content_type="application/json")
    assert resp.status_code == 200, resp.content
    assert resp["Cache-Control"] == "no-store"
    return resp.json()  # type: ignore[no-any-return]


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
    api_client: Any, make_user: Any, room: Any, who: str, role: str, perms: list[str]
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
    out = _ticket_for(api_client, user, room)
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


def test_messages_written_in_batches_and_deleted(api_client: Any, make_user: Any, room: Any) -> None:
    u = make_user("viewer")
    recs = [
        ChatRecord(
            message_id=f"01TESTMSG{i:017d}",
            room=room.slug,
            seq=i,
            user_id=str(u.pk),
            login=u.login,
            role="viewer",
            text=f"t{i}",
            ts=1_700_000_000_000 + i,
        )
        for i in range(1, 6)
    ]
    assert services.chat_messages_write(records=recs, deletions=[]) == 5
    assert services.chat_messages_write(records=recs[:2], deletions=[]) == 2  # retried batch: no duplicates
    assert ChatMessage.objects.filter(room=room).count() == 5
    services.chat_messages_write(
        records=[], deletions=[DeletionRecord(room.slug, (recs[0].message_id,), str(room.performer.pk), 1)]
    )
    assert ChatMessage.objects.get(pk=recs[0].message_id).status == "deleted"
    listed = api_client().get(f"/api/v1/chat/rooms/{room.slug}/messages")
    assert [m["text"] for m in listed.json()] == ["t2", "t3", "t4", "t5"]
    assert selectors.chat_recent_message_ids(room, str(u.pk), within=timedelta(days=36500)) != []


def test_hosts_only_by_performer(make_user: Any, room: Any) -> None:
    from stagedoor.chat.errors import ChatForbidden

    other = make_user("viewer")
    with pytest.raises(ChatForbidden):
        services.chat_host_add(actor=other, room=room, user=other)
    services.chat_host_add(actor=room.performer, room=room, user=other)
    assert ChatHost.objects.filter(room=room, user=other).exists()
    assert services.chat_host_remove(actor=room.performer, room=room, user=other) is True


@pytest.mark.django_db(transaction=True)
def test_gateway_end_to_end_with_database(api_client: Any, make_user: Any) -> None:
    """The real gateway, built as `stagedoor run` builds it, against the database."""
    from stagedoor.chat.gateway import start_chat_gateway
    from stagedoor.chat.service import build_gateway
    from stagedoor.rooms.services import room_for_performer

    star = make_user("performer", login="star2")
    room = room_for_performer(performer=star)
    viewer = make_user("viewer", login="fan")
    t_star = _ticket_for(api_client, star, room)["ticket"]
    t_fan = _ticket_for(api_client, viewer, room)["ticket"]
    runtime.set_bus(None)

    async def main() -> None:
        gw = build_gateway()
        gw.config.pipeline.ip_burst = None
        running = await start_chat_gateway("127.0.0.1", 0, gw)
        import asyncio

        runtime.set_bus(gw.bus, asyncio.get_running_loop())
        try:
            s = await ChatClient.join(running.port, t_star)
            f = await ChatClient.join(running.port, t_fan)
            ack = await f.say("hello @star")
            assert ack["status"] == "accepted"
            await s.expect(lambda e: e.get("id") == ack["id"])
            await s.send(C.CMD_TIMEOUT, user_id=str(viewer.pk), seconds=60, reason="test", nonce="t")
            await s.expect(lambda e: e.get("ref") == "t" and e["type"] == C.EV_ACK)
            await f.expect(lambda e: e["type"] == C.EV_USER_TIMED_OUT)
            await gw.sink.flush()
        finally:
            await running.close()
            runtime.set_bus(None)

    run(main())
    msg = ChatMessage.objects.get(room=room)
    assert (msg.text, msg.login, msg.seq, msg.status) == ("hello @star", "fan", 1, "visible")
    assert ChatModerationAction.objects.get(room=room).action == "timeout"
    assert AuditEntry.objects.filter(action="chat.timeout").count() == 1


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


@pytest.mark.django_db(transaction=True)
def test_embedded_service_serves_and_stops(api_client: Any, make_user: Any, settings: Any) -> None:
    """What `stagedoor run` starts: the gateway in the caller's loop, until `stop` is set."""
    import asyncio
    import socket

    from stagedoor.chat.service import embedded_chat_gateway
    from stagedoor.rooms.services import room_for_performer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.STAGEDOOR_CHAT_PORT = port
    room = room_for_performer(performer=make_user("performer", login="emb"))
    out = _ticket_for(api_client, None, room)
    assert out["url"].endswith(f":{port}/")

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(embedded_chat_gateway(stop))
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            try:
                client = await ChatClient.join(port, out["ticket"])
                break
            except OSError:
                assert asyncio.get_running_loop().time() < deadline, "gateway did not start"
                await asyncio.sleep(0.02)
        assert client.welcome["you"]["role"] == "anonymous"
        seq = await asyncio.to_thread(
            runtime.publish_from_sync,
            room.slug,
            P.notice_event(text="hi", ts=1),
        )
        assert seq == 1
        await client.expect(lambda e: e.get("type") == C.EV_NOTICE and e["text"] == "hi")
        stop.set()
        await asyncio.wait_for(task, 10)
        await client.wait_closed()

    run(main())
