"""Levels in chat: community's flag provider puts the level on the chat ticket, and chat shows its label."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.chat.perks import badge_labels, badges_of
from stagedoor.chat.selectors import chat_access
from stagedoor.community import levels, selectors, services
from stagedoor.community.tests.conftest import tip
from stagedoor.rooms.services import room_for_performer

pytestmark = pytest.mark.django_db


def test_ticket_flags_carry_levels_and_last_months_top_supporter(
    make_user: Callable[..., Any], funded: Callable[..., Any]
) -> None:
    star = make_user("performer")
    room = room_for_performer(performer=star)
    fan, newcomer = funded(1000), make_user("viewer")
    tip(fan, star, 600)
    services.level_recompute(user_id=fan.pk)
    services.level_recompute(user_id=star.pk)
    assert badges_of(chat_access(fan, room).flags) == ["vl3"]
    assert badges_of(chat_access(newcomer, room).flags) == []  # level 1 is everyone: no badge
    assert badges_of(chat_access(star, room).flags) == ["pl1"]  # in their own room: the performer level
    last_month = selectors.previous_month(timezone.now())
    services.badge_award(
        user_id=fan.pk, rule=levels.TOP_SUPPORTER, period=selectors.top_supporter_period(star.pk, last_month)
    )
    assert badges_of(chat_access(fan, room).flags) == ["top", "vl3"]
    other = room_for_performer(performer=make_user("performer"))
    assert badges_of(chat_access(fan, other).flags) == ["vl3"]  # top supporter of someone else
    assert badge_labels()["vl3"] == "Lv 3" and badge_labels()["top"] == "Top supporter"
    assert timedelta(0) < timezone.now() - selectors.level_of(fan.pk).computed_at < timedelta(minutes=5)  # type: ignore[union-attr]


def test_the_chat_panel_hands_the_labels_to_the_page(make_user: Callable[..., Any]) -> None:
    from django.template import Context, Template

    html = Template("{% load chat_tags %}{% chat_badge_labels %}").render(Context())
    assert "&quot;vl1&quot;: &quot;Lv 1&quot;" in html and "&quot;fan&quot;: &quot;Fan&quot;" in html
