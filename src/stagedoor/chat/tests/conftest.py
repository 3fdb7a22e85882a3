"""Chat test fixtures: a performer's room and a chat ticket fetched over the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def room(make_user: Any) -> Any:
    from stagedoor.rooms.services import room_for_performer

    return room_for_performer(performer=make_user("performer", login="star"))


@pytest.fixture
def ticket_for(api_client: Any) -> Callable[[Any, Any], dict[str, Any]]:
    """`ticket_for(user, room)`: the ticket the room page would get for `user` (None: anonymous)."""

    def fetch(user: Any, room: Any) -> dict[str, Any]:
        resp = api_client(user).post(f"/api/v1/chat/rooms/{room.slug}/ticket", content_type="application/json")
        assert resp.status_code == 200, resp.content
        assert resp["Cache-Control"] == "no-store"
        ticket: dict[str, Any] = resp.json()
        return ticket

    return fetch
