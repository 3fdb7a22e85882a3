"""The fans API (see docs/fans.md): fan clubs and memberships, fan-only posts, private messages."""

from __future__ import annotations

import json
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Status, UploadedFile
from pydantic import ValidationError

from stagedoor.accounts.auth import AUTH, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.core.errors import MalformedRequest, ValidationFailed
from stagedoor.fans import errors, schemas, selectors, services
from stagedoor.fans.models import FanClub, FanPost, Membership, Message, Thread
from stagedoor.verification.uploads_http import LimitedUploadHandler, declared_too_large

router = Router(tags=["fans"])

# A message body is at most BODY_MAX_CHARS characters (4 bytes each at worst) plus the JSON around it: a larger
# request is refused from its declared length, before its body is read.
MESSAGE_REQUEST_MAX_BYTES = services.BODY_MAX_CHARS * 4 + 4096


def _me(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def media_url(media_id: str) -> str:
    return reverse("fans:media", args=[media_id])


def _club_out(club: FanClub) -> dict[str, Any]:
    return {
        "id": club.pk,
        "performer_id": str(club.performer_id),
        "performer_login": club.performer.login,
        "enabled": club.enabled,
        "price": club.price,
        "discount_bp": club.discount_bp,
        "message_price": club.message_price,
        "period_days": settings.STAGEDOOR.fans.period_days,
    }


def _membership_out(m: Membership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "club_id": m.club_id,
        "performer_id": str(m.club.performer_id),
        "status": m.status,
        "period_index": m.period_index,
        "current_period_start": m.current_period_start,
        "current_period_end": m.current_period_end,
        "grace_until": m.grace_until,
        "cancel_at_period_end": m.cancel_at_period_end,
        "in_good_standing": selectors.membership_in_good_standing(m),
    }


def _post_out(p: FanPost) -> dict[str, Any]:
    return {
        "id": p.pk,
        "caption": p.caption,
        "kind": p.media.kind,
        "content_type": p.media.content_type,
        "media_url": media_url(p.media_id),
        "created_at": p.created_at,
    }


def message_out(m: Message, viewer: Any, unlocked: set[str]) -> dict[str, Any]:
    has_media = m.media_id is not None
    can_open = has_media and (m.sender_id == viewer.pk or m.unlock_price == 0 or m.pk in unlocked)
    return {
        "id": m.pk,
        "thread_id": m.thread_id,
        "sender_id": str(m.sender_id),
        "body": m.body,
        "status": m.status,
        "price_paid": m.price_paid if m.sender_id == viewer.pk else 0,
        "created_at": m.created_at,
        "media_kind": m.media.kind if m.media is not None else None,
        "unlock_price": m.unlock_price,
        "unlocked": bool(can_open),
        "media_url": media_url(m.media_id) if can_open and m.media_id else None,
    }


def _thread_out(t: Thread) -> dict[str, Any]:
    return {
        "id": t.pk,
        "fan_id": str(t.fan_id),
        "fan_login": t.fan.login,
        "performer_id": str(t.performer_id),
        "performer_login": t.performer.login,
        "last_message_at": t.last_message_at,
    }


def _too_large(limit: int, size: int | None = None) -> errors.MediaTooLarge:
    extra: dict[str, Any] = {"max_bytes": limit}
    if size is not None:
        extra["size"] = size
    return errors.MediaTooLarge(f"This file is larger than {limit // (1024 * 1024)} MB.", extra=extra)


def upload_guard(request: HttpRequest) -> None:
    """First in the upload endpoints' auth chain, so it runs before anything reads the body: a request declaring
    more than the limit is refused (413) unread; otherwise a handler counts the file's bytes as the multipart body
    is parsed and stops the upload the moment it passes the limit (never held whole, in memory or on disk).
    Returns None: authentication goes on with the next callback."""
    limit = services.upload_limit_bytes()
    if declared_too_large(request, files=1, limit=limit):
        raise _too_large(limit)
    if not hasattr(request, "_files"):  # the body is not parsed yet
        handler = LimitedUploadHandler(limit, request)
        request.upload_handlers.insert(0, handler)
        request.fans_upload = handler  # type: ignore[attr-defined]


def _read(request: HttpRequest, upload: UploadedFile | None) -> bytes:
    limit = services.upload_limit_bytes()
    handler = getattr(request, "fans_upload", None)
    if handler is not None and handler.exceeded:
        raise _too_large(limit)
    if upload is None:
        raise ValidationFailed.of_field("file", "Choose a photo or a clip.")
    if upload.size is not None and upload.size > limit:
        raise _too_large(limit, upload.size)
    return bytes(upload.read())


UPLOAD_AUTH = [upload_guard, *requires(Perm.FANCLUB_MANAGE)]
# `file` is optional in the signature only so a stopped upload answers 413 (not "field required"): it is required.
FILE_REQUIRED = {"requestBody": {"content": {"multipart/form-data": {"schema": {"required": ["file"]}}}}}


# --- clubs -------------------------------------------------------------------------------------------------


@router.get("/fans/clubs/{performer_id}", response=schemas.ClubOut, auth=None)
def club_get(request: HttpRequest, performer_id: str) -> dict[str, Any]:
    club = selectors.club_for_performer_id(performer_id)
    if not club.enabled:
        raise errors.ClubNotFound()
    return _club_out(club)


@router.get("/fans/club", response=schemas.ClubOut, auth=requires(Perm.FANCLUB_MANAGE))
def my_club_get(request: HttpRequest) -> dict[str, Any]:
    return _club_out(services.club_configure(performer=_me(request)))


@router.put("/fans/club", response=schemas.ClubOut, auth=requires(Perm.FANCLUB_MANAGE))
def my_club_put(request: HttpRequest, payload: schemas.ClubIn) -> dict[str, Any]:
    me = _me(request)
    club = services.club_configure(
        performer=me,
        enabled=payload.enabled,
        price=payload.price,
        discount_bp=payload.discount_bp,
        message_price=payload.message_price,
    )
    if payload.fan_only_chat is not None:
        services.fan_only_chat_set(performer=me, on=payload.fan_only_chat)
    return _club_out(club)


@router.post("/fans/clubs/{performer_id}/join", response=schemas.MembershipOut, auth=requires(Perm.FANCLUB_JOIN))
def club_join(request: HttpRequest, performer_id: str) -> dict[str, Any]:
    return _membership_out(services.membership_join(user=_me(request), performer_id=performer_id))


@router.post("/fans/clubs/{performer_id}/cancel", response=schemas.MembershipOut, auth=requires(Perm.FANCLUB_JOIN))
def club_cancel(request: HttpRequest, performer_id: str) -> dict[str, Any]:
    return _membership_out(services.membership_cancel(user=_me(request), performer_id=performer_id))


@router.get("/fans/memberships", response=list[schemas.MembershipOut], auth=AUTH)
def memberships(request: HttpRequest) -> list[dict[str, Any]]:
    return [_membership_out(m) for m in selectors.memberships_of(_me(request))]


# --- posts -------------------------------------------------------------------------------------------------


@router.get("/fans/clubs/{performer_id}/posts", response=list[schemas.PostOut], auth=AUTH)
def posts(request: HttpRequest, performer_id: str) -> list[dict[str, Any]]:
    club = selectors.club_for_performer_id(performer_id)
    return [_post_out(p) for p in selectors.access_post_list(_me(request), club)[:100]]


@router.post("/fans/posts", response={201: schemas.PostOut}, auth=UPLOAD_AUTH, openapi_extra=FILE_REQUIRED)
def post_create(
    request: HttpRequest, file: File[UploadedFile | None] = None, caption: Form[str] = ""
) -> Status[dict[str, Any]]:
    """Post a photo or clip to one's fan club (multipart: `file`, `caption`); 413 past the upload limit."""
    post = services.post_create(performer=_me(request), data=_read(request, file), caption=caption)
    return Status(201, _post_out(post))


@router.delete("/fans/posts/{post_id}", response={204: None}, auth=AUTH)
def post_delete(request: HttpRequest, post_id: str) -> Status[None]:
    services.post_remove(actor=_me(request), post_id=post_id)
    return Status(204, None)


@router.post("/fans/media", response={201: schemas.MediaOut}, auth=UPLOAD_AUTH, openapi_extra=FILE_REQUIRED)
def media_create(request: HttpRequest, file: File[UploadedFile | None] = None) -> Status[dict[str, Any]]:
    """Upload a photo or clip to attach to private messages (multipart: `file`); 413 past the upload limit."""
    media = services.media_upload(owner=_me(request), data=_read(request, file))
    return Status(201, {"id": media.pk, "kind": media.kind, "content_type": media.content_type, "size": media.size})


# --- messages ----------------------------------------------------------------------------------------------


@router.get("/fans/threads", response=list[schemas.ThreadOut], auth=requires(Perm.MESSAGES_SEND))
def threads(request: HttpRequest) -> list[dict[str, Any]]:
    return [_thread_out(t) for t in selectors.threads_of(_me(request))[:200]]


@router.get("/fans/threads/{thread_id}", response=list[schemas.FanMessageOut], auth=requires(Perm.MESSAGES_SEND))
def thread_messages(request: HttpRequest, thread_id: str) -> list[dict[str, Any]]:
    me = _me(request)
    thread = selectors.access_thread(me, thread_id)
    messages = selectors.thread_messages(thread, me)
    unlocked = selectors.unlocked_ids(me, messages)
    return [message_out(m, me, unlocked) for m in messages]


@router.post(
    "/fans/messages",
    response={201: schemas.FanMessageOut, 200: schemas.FanMessageOut},
    auth=requires(Perm.MESSAGES_SEND),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schemas.MessageIn.model_json_schema()}},
        }
    },
)
def message_send(request: HttpRequest) -> Status[dict[str, Any]]:
    """Send a private message (JSON `MessageIn`). Idempotent by `client_key`: a retry answers 200 with the first."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MESSAGE_REQUEST_MAX_BYTES:
        raise errors.MessageTooLong(
            f"A message has at most {services.BODY_MAX_CHARS} characters.",
            extra={"max_chars": services.BODY_MAX_CHARS},
        )
    try:
        payload = schemas.MessageIn.model_validate(json.loads(request.body or b"{}"))
    except json.JSONDecodeError:
        raise MalformedRequest() from None
    except ValidationError as exc:
        fields: dict[str, list[str]] = {}
        for e in exc.errors():
            fields.setdefault(str(e["loc"][-1]) if e["loc"] else "__all__", []).append(str(e["msg"]))
        raise ValidationFailed(extra={"fields": fields}) from None
    me = _me(request)
    sent = services.message_send(
        sender=me,
        body=payload.body,
        client_key=payload.client_key,
        thread_id=payload.thread_id,
        recipient_id=payload.to,
        media_id=payload.media_id,
        unlock_price=payload.unlock_price,
    )
    return Status(200 if sent.replay else 201, message_out(sent.message, me, set()))


@router.post("/fans/messages/{message_id}/unlock", response=schemas.UnlockOut, auth=requires(Perm.MESSAGES_SEND))
def message_unlock(request: HttpRequest, message_id: str) -> dict[str, Any]:
    unlock = services.message_unlock(user=_me(request), message_id=message_id)
    media_id = Message.objects.values_list("media_id", flat=True).get(pk=unlock.message_id)
    return {"message_id": unlock.message_id, "price": unlock.price, "media_url": media_url(str(media_id))}
