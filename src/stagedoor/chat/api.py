"""Chat API: tickets for the gateway, moderation from the REST side, history, hosts, words.

Mounted by the project under /api/v1 (see .notes/chat.md).
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from ninja import Router

from stagedoor.accounts.auth import AUTH, optional_user
from stagedoor.accounts.models import User
from stagedoor.chat import codes as C
from stagedoor.chat import protocol as P
from stagedoor.chat import schemas, selectors, services
from stagedoor.chat.errors import ChatAgeCheckRequired, ChatForbidden, ChatInvalid, ChatInvalidDuration
from stagedoor.chat.models import ChatMessage
from stagedoor.core.errors import NotFound
from stagedoor.core.gates import ADULT_CONTENT, GateContext, gate_refusal
from stagedoor.core.geo import location_for_request
from stagedoor.core.middleware import client_ip
from stagedoor.rooms.selectors import access_room_for_viewer, room_by_slug

router = Router(tags=["chat"])


def _actor(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


@router.post("/chat/rooms/{slug}/ticket", response=schemas.TicketOut, auth=None)
def chat_ticket(request: HttpRequest, slug: str, response: HttpResponse) -> dict[str, Any]:
    """A 60-second ticket to join the room's chat (anonymous callers get a read-only one)."""
    viewer = optional_user(request)
    room = access_room_for_viewer(slug, location=location_for_request(request), viewer_id=viewer.pk if viewer else None)
    refusal = gate_refusal(ADULT_CONTENT, GateContext(user=viewer, room=room, request=request))  # the age check
    if refusal is not None:
        raise ChatAgeCheckRequired(refusal.message, extra={"reason": refusal.code, "url": refusal.action_url})
    response["Cache-Control"] = "no-store"
    return services.chat_ticket_issue(user=viewer, room=room)


@router.get("/chat/rooms/{slug}/messages", response=list[schemas.MessageOut], auth=None)
def chat_messages(request: HttpRequest, slug: str, limit: int = 50) -> list[ChatMessage]:
    viewer = optional_user(request)
    room = access_room_for_viewer(slug, location=location_for_request(request), viewer_id=viewer.pk if viewer else None)
    return selectors.chat_recent_messages(room, limit=limit)


def _command(payload: schemas.ModerationIn) -> P.Command:
    def need(value: Any, name: str) -> Any:
        if value is None:
            raise ChatInvalid(f"`{name}` is required for `{payload.action}`.")
        return value

    if payload.action == "delete":
        return P.Delete(message_id=need(payload.message_id, "message_id"))
    if payload.action == "purge":
        return P.Purge(user_id=need(payload.user_id, "user_id"))
    if payload.action == "timeout":
        seconds = need(payload.seconds, "seconds")
        if not C.TIMEOUT_MIN_SECONDS <= seconds <= C.TIMEOUT_MAX_SECONDS:
            raise ChatInvalidDuration()
        return P.Timeout(user_id=need(payload.user_id, "user_id"), seconds=seconds, reason=payload.reason)
    if payload.action == "ban":
        return P.Ban(user_id=need(payload.user_id, "user_id"), reason=payload.reason)
    if payload.action == "unban":
        return P.Unban(user_id=need(payload.user_id, "user_id"))
    return P.SetMode(
        slow_seconds=payload.slow_seconds,
        audience=payload.audience,
        links=payload.links,
        emails=payload.emails,
        phones=payload.phones,
    )


@router.post("/chat/rooms/{slug}/moderation", response=schemas.ModerationOut, auth=AUTH)
def chat_moderation(request: HttpRequest, slug: str, payload: schemas.ModerationIn) -> dict[str, Any]:
    """Delete, purge, time out (60 s – 24 h), ban, unban, or change the room's chat mode.
    Audited, and announced to everyone in the room."""
    room = room_by_slug(slug)
    action = services.chat_moderate(actor=_actor(request), room=room, command=_command(payload), ip=client_ip(request))
    return {
        "action": action.kind,
        "room": action.room,
        "target_user_id": action.target_user_id,
        "message_ids": list(action.message_ids),
        "seconds": action.seconds,
        "mode": action.mode,
    }


@router.post("/chat/rooms/{slug}/hosts", response={204: None}, auth=AUTH)
def chat_host_add(request: HttpRequest, slug: str, payload: schemas.HostIn) -> tuple[int, None]:
    user = User.objects.filter(pk=payload.user_id).first()
    if user is None:
        raise NotFound("No such user.")
    services.chat_host_add(actor=_actor(request), room=room_by_slug(slug), user=user)
    return 204, None


@router.delete("/chat/rooms/{slug}/hosts/{user_id}", response={204: None}, auth=AUTH)
def chat_host_remove(request: HttpRequest, slug: str, user_id: str) -> tuple[int, None]:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound("No such user.")
    services.chat_host_remove(actor=_actor(request), room=room_by_slug(slug), user=user)
    return 204, None


@router.put("/chat/rooms/{slug}/words", response=schemas.WordsOut, auth=AUTH)
def chat_words(request: HttpRequest, slug: str, payload: schemas.WordsIn) -> dict[str, Any]:
    s = services.chat_words_set(actor=_actor(request), room=room_by_slug(slug), words=payload.words)
    return {"words": [w for w in s.blocked_words.splitlines() if w]}


@router.get("/chat/rooms/{slug}/held", response=list[schemas.MessageOut], auth=AUTH)
def chat_held(request: HttpRequest, slug: str) -> list[ChatMessage]:
    """Messages the classifier held for review (moderators of the room)."""
    room = room_by_slug(slug)
    if not selectors.chat_access(_actor(request), room).can_moderate:
        raise ChatForbidden()
    return selectors.chat_held_messages(room)


@router.post("/chat/rooms/{slug}/held/{message_id}", response=schemas.MessageOut, auth=AUTH)
def chat_held_decide(request: HttpRequest, slug: str, message_id: str, payload: schemas.HeldDecisionIn) -> ChatMessage:
    """Approve (the message enters the room's timeline now) or reject a held message."""
    return services.chat_held_decide(
        actor=_actor(request),
        room=room_by_slug(slug),
        message_id=message_id,
        approve=payload.decision == "approve",
        ip=client_ip(request),
    )
