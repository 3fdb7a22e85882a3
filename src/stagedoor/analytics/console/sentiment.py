"""Staff console: chat sentiment (`/staff/sentiment/`): every room's chat mood together by day and hour, the
busiest rooms compared, one room's trend (`?room=<slug>`). Sums over many lines only, never a message's score."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stagedoor.accounts.roles import Perm
from stagedoor.analytics import selectors
from stagedoor.analytics.selectors import sentiment as sentiment_selectors
from stagedoor.analytics.views import sentiment_chart
from stagedoor.core.console import console_section


def sentiment(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("days", "30")
    days = selectors.clamp_days(int(raw) if raw.isdigit() else 30)
    slug = request.GET.get("room", "").strip()[:30]
    room = sentiment_selectors.room_by_slug(slug) if slug else None
    trend = sentiment_selectors.sentiment_trend(performer_id=room[2] if room else None, days=days)
    context: dict[str, Any] = {
        "board": {"days": days},
        "ranges": selectors.RANGES,
        "room": room,
        "room_query": slug,
        "room_missing": bool(slug) and room is None,
        "sentiment": trend,
        "sentiment_min": sentiment_selectors.MIN_MESSAGES,
        "rooms": sentiment_selectors.rooms_sentiment(days=days) if room is None else [],
        "chart_data": {"sentiment": sentiment_chart(trend)},
    }
    return render(request, "analytics/console/sentiment.html", context)


def _blurb(actor: Any) -> str:
    until = sentiment_selectors.scored_until()
    return f"scored up to {until:%Y-%m-%d %H:%M} UTC" if until else "nothing scored yet"


console_section(
    slug="sentiment",
    title="Chat sentiment",
    perm=Perm.SENTIMENT_READ_ANY,
    order=62,
    description="Chat mood per room and over time, as a trend (never a judgement of one message).",
    view=sentiment,
    template="analytics/console/sentiment.html",
    blurb=_blurb,
)
