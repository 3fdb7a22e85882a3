"""The fans cards other apps' pages include (`{% optional_include "fans/_room.html" %}`, `fans/_studio.html`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from stagedoor.fans import selectors, services

register = template.Library()


@register.inclusion_tag("fans/_room_card.html", takes_context=True)
def room_fan_card(context: Any, room: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    club = selectors.club_of(room.performer_id) if room is not None else None
    membership = selectors.membership_of(user=user, club=club) if club is not None else None
    return {
        "club": club if club is not None and club.enabled else None,
        "membership": membership,
        "in_good_standing": membership is not None and selectors.membership_in_good_standing(membership),
        "is_owner": user is not None and getattr(user, "pk", None) == room.performer_id,
        "signed_in": bool(getattr(user, "is_authenticated", False)),
        "next": request.path if request is not None else "/",
        "performer_id": room.performer_id,
        "period_days": settings.STAGEDOOR.fans.period_days,
        "discount_pct": club.discount_bp // 100 if club is not None else 0,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("fans/_studio_card.html", takes_context=True)
def studio_fan_club(context: Any) -> dict[str, Any]:
    request = context.get("request")
    performer = request.user
    club = services.club_configure(performer=performer)
    cfg = settings.STAGEDOOR.fans
    return {
        "club": club,
        "discount_pct": club.discount_bp // 100,
        "members": selectors.members_of(club).count(),
        "fan_only_chat": services.fan_only_chat_is_on(performer),
        "cfg": cfg,
        "posts": list(selectors.posts_of(club)[:5]),
        "csrf_token": context.get("csrf_token"),
    }
