"""The community cards other apps' pages include (`{% optional_include "community/_room.html" %}`,
`community/_studio.html`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from stagedoor.community import levels, selectors

register = template.Library()


@register.inclusion_tag("community/_room_card.html", takes_context=True)
def room_community_card(context: Any, room: Any) -> dict[str, Any]:
    """The performer's level and badges, and their rank in the contests they are in (refreshed by the page)."""
    now = timezone.now()
    contests = selectors.contests_of_performer(room.performer_id, now=now)
    ranks = []
    for contest in contests:
        board = selectors.leaderboard(contest, now=now)
        mine = next((s for s in board if s.performer_id == str(room.performer_id)), None)
        ranks.append({"contest": contest, "standing": mine, "of": len(board)})
    level = selectors.level_of(room.performer_id)
    return {
        "performer_level": level.performer_level if level and level.performer_level else 1,
        "badges": [levels.BADGES.get(b.rule, (b.rule, ""))[0] for b in selectors.badges_of(room.performer_id, limit=5)],
        "ranks": ranks,
        "login": room.performer.login,
    }


@register.inclusion_tag("community/_studio_card.html", takes_context=True)
def studio_community(context: Any) -> dict[str, Any]:
    request = context.get("request")
    performer = request.user
    now = timezone.now()
    level = selectors.level_of(performer.pk)
    return {
        "events": list(selectors.events_upcoming(now=now, limit=10)),
        "entered_events": selectors.events_entered(performer),
        "contests": [c for c in selectors.contests_current(now=now) if selectors.contest_is_open(c, now=now)],
        "entered_contests": selectors.contests_entered(performer),
        "level": level,
        "performer_level": level.performer_level if level and level.performer_level else 1,
        "hours": (level.seconds_streamed // 3600) if level else 0,
        "login": performer.login,
        "csrf_token": context.get("csrf_token"),
    }
