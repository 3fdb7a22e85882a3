"""The `data` of each event type, built from the other apps' outbox payloads (and, where those carry only ids, a
read of the row). Only what the performer may see about their own business: an anonymous tipper stays anonymous."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from stagedoor.fans.models import Membership
from stagedoor.payouts.models import PayoutItem
from stagedoor.rooms.models import Room
from stagedoor.shows.models import Show
from stagedoor.wallet.events import TipSent


def _base_url() -> str:
    return str(settings.STAGEDOOR.base_url)


def room_data(room_id: str) -> tuple[str, dict[str, Any]] | None:
    room = Room.objects.select_related("performer").filter(pk=room_id).first()
    if room is None:
        return None
    return str(room.performer_id), {
        "room_id": room.pk,
        "room_slug": room.slug,
        "room_url": _base_url() + room.url,
        "title": room.title,
        "performer_id": str(room.performer_id),
        "performer_login": room.performer.login,
    }


def tip_data(payload: TipSent) -> dict[str, Any]:
    sender = None if payload["anonymous"] else {"id": payload["sender_id"], "name": payload["sender_name"]}
    menu = {"id": payload["menu_item_id"], "label": payload["menu_label"]} if payload.get("menu_item_id") else None
    return {
        "tip_id": payload["tip_id"],
        "performer_id": payload["performer_id"],
        "performer_login": payload["performer_login"],
        "room_id": payload["room_id"],
        "amount": payload["amount"],
        "message": payload["message"],
        "sender": sender,
        "menu_item": menu,
        "sent_at": payload["created_at"],
    }


def fan_data(membership_id: str) -> tuple[str, dict[str, Any]] | None:
    membership = Membership.objects.select_related("club__performer", "user").filter(pk=membership_id).first()
    if membership is None:
        return None
    performer = membership.club.performer
    return str(performer.pk), {
        "membership_id": membership.pk,
        "performer_id": str(performer.pk),
        "performer_login": performer.login,
        "fan": {"id": str(membership.user_id), "login": membership.user.login},
        "period_end": membership.current_period_end.isoformat().replace("+00:00", "Z"),
        "price": membership.last_price,
    }


def show_data(show_id: str) -> tuple[str, dict[str, Any]] | None:
    show = Show.objects.select_related("performer", "requested_by").filter(pk=show_id).first()
    if show is None:
        return None
    requested_by = show.requested_by
    return str(show.performer_id), {
        "show_id": show.pk,
        "performer_id": str(show.performer_id),
        "performer_login": show.performer.login,
        "kind": show.kind,
        "status": show.status,
        "title": show.title,
        "starts_at": show.starts_at.isoformat().replace("+00:00", "Z") if show.starts_at else None,
        "rate": show.rate,
        "ticket_price": show.ticket_price,
        "requested_by": {"id": str(requested_by.pk), "login": requested_by.login} if requested_by else None,
    }


def payouts_sent(run_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(item id, performer id, data) of every line of a sent run that went out."""
    items = PayoutItem.objects.select_related("run", "performer").filter(run_id=run_id, status=PayoutItem.Status.SENT)
    return [
        (
            item.pk,
            str(item.performer_id),
            {
                "payout_id": item.pk,
                "run_id": item.run_id,
                "performer_id": str(item.performer_id),
                "performer_login": item.performer.login,
                "amount_tokens": item.amount_tokens,
                "amount_minor": item.amount_minor,
                "currency": item.run.currency,
                "method_kind": item.method_kind,
            },
        )
        for item in items.order_by("id")
    ]
