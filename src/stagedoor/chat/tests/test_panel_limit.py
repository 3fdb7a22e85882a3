"""The chat panel counts towards the same limit the message pipeline enforces."""

from __future__ import annotations

from typing import Any

import pytest

from stagedoor.chat.pipeline.message import PipelineConfig
from stagedoor.chat.pipeline.size import DEFAULT_MAX_CHARS, check_display_size
from stagedoor.rooms.services import room_for_performer
from stagedoor.web.tests.pages import consented, parse

pytestmark = pytest.mark.django_db


def test_panel_limit_is_the_pipeline_limit(make_user: Any) -> None:
    room = room_for_performer(performer=make_user("performer", login="counted"))
    page = parse(consented(user=make_user()).get(room.url))
    field = page.one("chat-input")
    assert int(field.attrs["data-max-chars"]) == DEFAULT_MAX_CHARS == PipelineConfig().max_chars
    assert "maxlength" not in field.attrs  # no silent cut: the counter and the limit line say it
    assert field.attrs["aria-describedby"] == page.one("chat-limit").attrs["id"]
    assert page.one("chat-limit").attrs["aria-live"] == "polite"
    # the pipeline accepts exactly that many characters and refuses one more
    assert check_display_size("x" * DEFAULT_MAX_CHARS) is None
    refusal = check_display_size("x" * (DEFAULT_MAX_CHARS + 1))
    assert refusal is not None and refusal.message == f"messages are at most {DEFAULT_MAX_CHARS} characters"
