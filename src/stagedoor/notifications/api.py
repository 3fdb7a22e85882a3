"""The notifications API (see docs/notifications.md): the VAPID public key, one's preferences and push devices,
the schedule of upcoming shows."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Router, Status

from stagedoor.accounts.auth import AUTH
from stagedoor.accounts.models import User
from stagedoor.core.geo import location_for_request
from stagedoor.notifications import schemas, selectors, services
from stagedoor.notifications.models import Preference, PushSubscription

router = Router(tags=["notifications"])


def _me(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _viewer(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return cast(User, user) if user is not None and user.is_authenticated else None


def _pref_out(pref: Preference, user: User) -> dict[str, Any]:
    return {
        "push_enabled": pref.push_enabled,
        "email_enabled": pref.email_enabled,
        "quiet_start": pref.quiet_start,
        "quiet_end": pref.quiet_end,
        "timezone": pref.timezone,
        "devices": selectors.devices_of(user).count(),
    }


def _device_out(d: PushSubscription) -> dict[str, Any]:
    return {"id": d.id, "user_agent": d.user_agent, "created_at": d.created_at, "last_success_at": d.last_success_at}


@router.get("/notifications/vapid-key", response=schemas.VapidKeyOut, auth=None)
def vapid_key(request: HttpRequest) -> dict[str, Any]:
    """The site's VAPID public key: the browser subscribes to push with it."""
    return {"public_key": services.vapid_key_ensure().public_key}


@router.get("/notifications/preferences", response=schemas.PreferenceOut, auth=AUTH)
def preferences_get(request: HttpRequest) -> dict[str, Any]:
    me = _me(request)
    return _pref_out(selectors.preference_of(me), me)


@router.put("/notifications/preferences", response=schemas.PreferenceOut, auth=AUTH)
def preferences_put(request: HttpRequest, payload: schemas.PreferenceIn) -> dict[str, Any]:
    me = _me(request)
    pref = services.preference_set(
        user=me,
        push_enabled=payload.push_enabled,
        email_enabled=payload.email_enabled,
        quiet_start=payload.quiet_start,
        quiet_end=payload.quiet_end,
        timezone=payload.timezone,
    )
    return _pref_out(pref, me)


@router.get("/notifications/devices", response=list[schemas.DeviceOut], auth=AUTH)
def devices(request: HttpRequest) -> list[dict[str, Any]]:
    return [_device_out(d) for d in selectors.devices_of(_me(request))]


@router.post("/notifications/devices", response={201: schemas.DeviceOut}, auth=AUTH)
def device_subscribe(request: HttpRequest, payload: schemas.SubscriptionIn) -> Status[dict[str, Any]]:
    """Save this browser's push subscription (the JSON of `PushSubscription`)."""
    device = services.device_subscribe(
        user=_me(request),
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
        user_agent=request.headers.get("User-Agent", ""),
    )
    return Status(201, _device_out(device))


@router.post("/notifications/devices/unsubscribe", response=schemas.UnsubscribeOut, auth=AUTH)
def device_unsubscribe(request: HttpRequest, payload: schemas.UnsubscribeIn) -> dict[str, Any]:
    """Forget this browser's subscription (by its endpoint, which only that browser knows)."""
    return {"removed": services.device_unsubscribe(user=_me(request), endpoint=payload.endpoint)}


@router.delete("/notifications/devices/{device_id}", response={204: None}, auth=AUTH)
def device_delete(request: HttpRequest, device_id: str) -> Status[None]:
    services.device_remove(user=_me(request), device_id=device_id)
    return Status(204, None)


@router.get("/notifications/schedule", response=list[schemas.ScheduleEntryOut], auth=None)
def schedule(request: HttpRequest, following: bool = False) -> list[dict[str, Any]]:
    """Shows announced for the next two weeks; `following=true`: only rooms one follows."""
    viewer = _viewer(request)
    entries = selectors.schedule(
        location=location_for_request(request), user_id=viewer.pk if viewer else None, following_only=following
    )
    return [{**e.__dict__, "room_url": f"/r/{e.room_slug}"} for e in entries]
