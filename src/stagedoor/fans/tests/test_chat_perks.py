"""The chat perks: a member's ticket carries the `fan` flag (badge in message frames), fans-only chat mode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.chat import codes as C
from stagedoor.chat import protocol as P
from stagedoor.chat.perks import badges_of
from stagedoor.chat.pipeline.message import ACCEPTED, REFUSED, MessagePipeline
from stagedoor.chat.runtime import ticket_key
from stagedoor.chat.selectors import chat_room_state, chat_ticket_for
from stagedoor.chat.ticket import ticket_verify
from stagedoor.fans import services
from stagedoor.fans.models import FanClub
from stagedoor.rooms.services import room_for_performer

pytestmark = pytest.mark.django_db


def test_members_get_the_fan_flag_and_badge(club: FanClub, funded: Callable[[int], Any]) -> None:
    room = room_for_performer(performer=club.performer)
    fan, outsider = funded(200), funded(200)
    services.membership_join(user=fan, performer_id=club.performer_id)
    fan_ticket, outsider_ticket = chat_ticket_for(fan, room), chat_ticket_for(outsider, room)
    assert "fan" in fan_ticket.flags and "fan" not in outsider_ticket.flags
    ref = P.user_ref(fan_ticket.user_id, fan_ticket.login, fan_ticket.role, badges_of(fan_ticket.flags))
    assert ref["badges"] == ["fan"]
    assert "badges" not in P.user_ref(outsider_ticket.user_id, outsider_ticket.login, outsider_ticket.role, ())


def test_ticket_over_the_api_carries_the_flag(
    club: FanClub, funded: Callable[[int], Any], ticket_for: Callable[[Any, Any], dict[str, Any]]
) -> None:
    room = room_for_performer(performer=club.performer)
    fan = funded(200)
    services.membership_join(user=fan, performer_id=club.performer_id)
    claims = ticket_verify(ticket_for(fan, room)["ticket"], key=ticket_key(), room=room.slug)
    assert "fan" in claims.flags


def test_fans_only_mode_lets_fans_the_performer_and_staff_write(
    club: FanClub, funded: Callable[[int], Any], make_user: Callable[..., Any]
) -> None:
    room = room_for_performer(performer=club.performer)
    fan, outsider = funded(200), funded(200)
    services.membership_join(user=fan, performer_id=club.performer_id)
    assert services.fan_only_chat_set(performer=club.performer, on=True) == C.AUDIENCE_FANS
    assert services.fan_only_chat_is_on(club.performer)
    state = chat_room_state(room)
    assert state.mode.audience == C.AUDIENCE_FANS
    pipeline = MessagePipeline()

    def send(user: Any) -> Any:
        return pipeline.check(sender=chat_ticket_for(user, room), room=state, text="hello", ip=None, now=0, mono=0)

    refused = send(outsider)
    assert refused.status == REFUSED and refused.code == C.ERR_AUDIENCE_RESTRICTED
    assert refused.message == "only fan club members can write here right now"
    assert send(fan).status == ACCEPTED
    assert send(club.performer).status == ACCEPTED
    assert send(make_user("moderator")).status == ACCEPTED
    services.fan_only_chat_set(performer=club.performer, on=False)
    assert chat_room_state(room).mode.audience == C.AUDIENCE_EVERYONE
