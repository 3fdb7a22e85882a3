"""Chat test fixtures: a performer's room and a chat ticket fetched over the API."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def room(make_user: Any) -> Any:
    from stagedoor.rooms.services import room_for_performer

    return room_for_performer(performer=make_user("performer", login="star"))
