"""A room's own chat-classifier policy: the classifier reads it from the pipeline's context (room A blocks what room
B, on platform defaults, holds), the service that stores it (who may, what is refused, the audit row), the REST
endpoint and the studio form."""

from __future__ import annotations

import re
from typing import Any

import pytest

from stagedoor.chat import codes as C
from stagedoor.chat.models import ChatRoomSettings
from stagedoor.chat.pipeline.classifier import Action, ClassifyContext
from stagedoor.chat.pipeline.message import HELD, REFUSED, MessagePipeline
from stagedoor.chat.pipeline.normalize import skeleton
from stagedoor.chat.room import RoomState
from stagedoor.chat.selectors import chat_room_state
from stagedoor.chat.ticket import ChatTicket
from stagedoor.core.errors import PermissionDenied
from stagedoor.core.models import AuditEntry
from stagedoor.moderation import services
from stagedoor.moderation.text.classifier import DEFAULT_MODEL_PATH, ChatTextClassifier, shared_moderator
from stagedoor.moderation.text.policy import PolicyInvalid, PolicyTable, room_action
from stagedoor.web.tests.console_helpers import client_for

OFF = "add me on snap kitty_99"  # off_platform
MINOR = "i'm 14, is that ok?"  # minor_risk
AUDIT = "moderation.room_chat_policy_set"


def _sender(n: int) -> ChatTicket:
    return ChatTicket(room="x", user_id=str(n), login=f"u{n}", role="viewer", perms=frozenset({"read", "write"}), exp=0)


# --- the classifier and the pipeline (pure) ---------------------------------------------------------------------


def test_a_category_set_to_block_in_room_a_is_refused_there_and_held_in_room_b() -> None:
    pipeline = MessagePipeline(classifier=ChatTextClassifier(shared_moderator(DEFAULT_MODEL_PATH), PolicyTable()))
    room_a = RoomState("room-a", classifier_actions={"off_platform": "block"})
    room_b = RoomState("room-b")  # platform defaults: hold every category
    in_a = pipeline.check(sender=_sender(1), room=room_a, text=OFF, ip=None, now=0.0, mono=0.0)
    in_b = pipeline.check(sender=_sender(2), room=room_b, text=OFF, ip=None, now=0.0, mono=0.0)
    assert (in_a.status, in_a.code, in_a.reason) == (REFUSED, C.ERR_BLOCKED, "off_platform")
    assert (in_b.status, in_b.code, in_b.reason) == (HELD, None, "off_platform")


def test_stored_room_actions_are_read_leniently_and_never_lower_minor_risk() -> None:
    clf = ChatTextClassifier(shared_moderator(DEFAULT_MODEL_PATH), PolicyTable(platform={"scam": "block"}))

    def verdict(text: str, actions: dict[str, str]) -> tuple[Action, str]:
        v = clf.classify(text, ClassifyContext("r1", "7", "viewer", skeleton(text), room_actions=actions))
        return v.action, v.reason

    assert verdict(OFF, {"off_platform": "allow"}) == (Action.ALLOW, "off_platform")
    assert verdict(MINOR, {"minor_risk": "allow"}) == (Action.HOLD, "minor_risk")  # the floor, whatever is stored
    assert verdict(MINOR, {"minor_risk": "block"}) == (Action.BLOCK, "minor_risk")
    # an action or a category it does not know is ignored: the platform's action applies
    assert verdict(OFF, {"off_platform": "shout", "spam": "block"}) == (Action.HOLD, "off_platform")
    assert room_action({"scam": " Block "}, "scam") is Action.BLOCK
    assert room_action({}, "scam") is None


# --- the service ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_performer_sets_their_rooms_chat_policy(room: Any) -> None:
    stored = services.room_chat_policy_set(
        actor=room.performer,
        room=room,
        actions={"off_platform": "block", "scam": "", "minor_risk": "BLOCK", "harassment": "allow"},
        ip="203.0.113.7",
    )
    assert stored == {"harassment": "allow", "minor_risk": "block", "off_platform": "block"}
    assert ChatRoomSettings.objects.get(room=room).classifier_actions == stored
    assert chat_room_state(room).classifier_actions == stored
    entry = AuditEntry.objects.get(action=AUDIT)
    assert (entry.actor_id, entry.ip, entry.data) == (
        room.performer.pk,
        "203.0.113.7",
        {"actions": stored, "before": {}},
    )
    again = services.room_chat_policy_set(actor=room.performer, room=room, actions={"scam": "hold"})
    assert again == {"scam": "hold"}  # the whole setting is replaced
    assert ChatRoomSettings.objects.get(room=room).classifier_actions == {"scam": "hold"}
    assert AuditEntry.objects.filter(action=AUDIT).order_by("-pk").first().data == {  # type: ignore[union-attr]
        "actions": {"scam": "hold"},
        "before": stored,
    }


@pytest.mark.django_db
def test_only_the_performer_or_a_supervisor_sets_it(
    room: Any, viewer: Any, moderator: Any, supervisor: Any, make_user: Any
) -> None:
    from stagedoor.rooms.services import room_for_performer

    services.room_chat_policy_set(actor=room.performer, room=room, actions={"scam": "block"})
    other_room = room_for_performer(performer=make_user("performer", login="other_star"))
    for intruder in (viewer, moderator, other_room.performer):
        with pytest.raises(PermissionDenied) as exc:
            services.room_chat_policy_set(actor=intruder, room=room, actions={"scam": "allow"})
        assert exc.value.code == "auth.forbidden"
    assert ChatRoomSettings.objects.get(room=room).classifier_actions == {"scam": "block"}
    assert AuditEntry.objects.filter(action=AUDIT).count() == 1

    assert services.room_chat_policy_set(actor=supervisor, room=room, actions={"scam": "allow"}) == {"scam": "allow"}
    assert AuditEntry.objects.filter(action=AUDIT, actor_id=supervisor.pk).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actions", "message", "extra"),
    [
        (
            {"scam": "block", "minor_risk": "allow"},
            "minor_risk is always at least hold",
            {"category": "minor_risk", "where": "room", "floor": "hold"},
        ),
        ({"spam": "block"}, "unknown category 'spam'", {"category": "spam", "where": "room"}),
        ({"scam": "delete"}, "unknown action 'delete' (allow, hold or block)", {"action": "delete"}),
    ],
)
def test_a_bad_setting_is_refused_and_nothing_is_stored(
    room: Any, actions: dict[str, str], message: str, extra: dict[str, str]
) -> None:
    services.room_chat_policy_set(actor=room.performer, room=room, actions={"off_platform": "allow"})
    with pytest.raises(PolicyInvalid) as exc:
        services.room_chat_policy_set(actor=room.performer, room=room, actions=actions)
    assert (exc.value.code, exc.value.status, exc.value.message, exc.value.extra) == (
        "moderation.text_policy_invalid",
        422,
        message,
        extra,
    )
    assert ChatRoomSettings.objects.get(room=room).classifier_actions == {"off_platform": "allow"}
    assert AuditEntry.objects.filter(action=AUDIT).count() == 1


# --- the REST endpoint ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_put_chat_policy(room: Any, viewer: Any, api_client: Any) -> None:
    url = f"/api/v1/rooms/{room.slug}/chat-policy"
    ok = api_client(room.performer).put(
        url, {"actions": {"off_platform": "block", "harassment": "allow"}}, content_type="application/json"
    )
    assert ok.status_code == 200, ok.content
    assert ok.json() == {
        "room": room.slug,
        "actions": {"harassment": "allow", "off_platform": "block"},
        "effective": {
            "minor_risk": "hold",
            "off_platform": "block",
            "scam": "hold",
            "doxxing": "hold",
            "harassment": "allow",
        },
    }
    bad = api_client(room.performer).put(url, {"actions": {"minor_risk": "allow"}}, content_type="application/json")
    assert (bad.status_code, bad.json()["code"]) == (422, "moderation.text_policy_invalid")
    denied = api_client(viewer).put(url, {"actions": {"off_platform": "allow"}}, content_type="application/json")
    assert (denied.status_code, denied.json()["code"]) == (403, "auth.forbidden")
    missing = api_client(room.performer).put(
        "/api/v1/rooms/no-such-room/chat-policy", {"actions": {}}, content_type="application/json"
    )
    assert missing.status_code == 404
    assert ChatRoomSettings.objects.get(room=room).classifier_actions == {
        "harassment": "allow",
        "off_platform": "block",
    }
    assert AuditEntry.objects.filter(action=AUDIT).count() == 1


# --- the studio form -----------------------------------------------------------------------------------------


def _select(html: str, category: str) -> tuple[str, list[str], str]:
    """(the selected value, every value offered, the default's label) of a category's select."""
    block = re.search(rf'<select id="action_{category}" name="action_{category}">(.*?)</select>', html, re.S)
    assert block is not None, category
    options = re.findall(r'<option value="([a-z]*)"( selected)?>([^<]*)</option>', block.group(1))
    selected = [value for value, sel, _ in options if sel]
    assert len(selected) == 1, options
    return selected[0], [value for value, _, _ in options], options[0][2]


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_a_performer_sets_their_rooms_chat_policy_from_the_studio(room: Any, viewer: Any) -> None:
    client = client_for(room.performer)
    studio = client.get("/studio").content.decode()
    assert 'data-testid="chat-policy"' in studio and 'action="/studio/chat-policy"' in studio
    assert _select(studio, "off_platform") == ("", ["", "allow", "hold", "block"], "Default (hold for review)")
    assert _select(studio, "minor_risk") == (
        "",
        ["", "hold", "block"],
        "Default (hold for review)",
    )  # never allow

    saved = client.post(
        "/studio/chat-policy",
        {"action_off_platform": "block", "action_minor_risk": "block", "action_scam": ""},
        follow=True,
    )
    assert saved.redirect_chain == [("/studio", 302)]
    assert _messages(saved) == ["Your room's chat settings are saved."]
    assert ChatRoomSettings.objects.get(room=room).classifier_actions == {
        "minor_risk": "block",
        "off_platform": "block",
    }
    assert AuditEntry.objects.filter(action=AUDIT, actor_id=room.performer.pk).count() == 1
    shown = client.get("/studio").content.decode()
    assert [_select(shown, c)[0] for c in ("minor_risk", "off_platform", "scam")] == ["block", "block", ""]

    bad = client.post("/studio/chat-policy", {"action_minor_risk": "allow", "action_scam": "block"}, follow=True)
    assert _messages(bad) == ["minor_risk is always at least hold"]
    assert ChatRoomSettings.objects.get(room=room).classifier_actions == {
        "minor_risk": "block",
        "off_platform": "block",
    }

    refused = client_for(viewer).post("/studio/chat-policy", {"action_scam": "allow"}, follow=True)
    assert _messages(refused) == ["Only performers have a room to set."]
    assert AuditEntry.objects.filter(action=AUDIT).count() == 1
