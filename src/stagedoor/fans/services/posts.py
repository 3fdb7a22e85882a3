"""Fan-only posts: a performer's photo or clip with a caption, seen by members in good standing."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish
from stagedoor.fans import errors, events
from stagedoor.fans.models import FanClub, FanPost
from stagedoor.fans.selectors import is_staff_viewer
from stagedoor.fans.services.media import media_upload

CAPTION_MAX = 2000


def post_create(*, performer: Any, data: bytes, caption: str = "") -> FanPost:
    caption = caption.strip()
    if len(caption) > CAPTION_MAX:
        raise errors.MessageTooLong(f"A caption has at most {CAPTION_MAX} characters.")
    media = media_upload(owner=performer, data=data)
    with transaction.atomic():
        club, _ = FanClub.objects.get_or_create(performer=performer)
        post = FanPost.objects.create(club=club, media=media, caption=caption)
        outbox_publish(topic=events.POST_PUBLISHED, payload={"post_id": post.pk, "club_id": club.pk})
    return post


def post_remove(*, actor: Any, post_id: str) -> FanPost:
    """The performer removes their post, or staff do (audited)."""
    post = FanPost.objects.select_related("club").filter(pk=post_id, removed=False).first()
    if post is None:
        raise errors.PostNotFound()
    own = post.club.performer_id == actor.pk
    if not own and not is_staff_viewer(actor):
        raise errors.PostNotFound()
    with transaction.atomic():
        post.removed = True
        post.save(update_fields=["removed"])
        if not own:
            audit_record(actor=actor, action="fans.post_remove", target=post, data={"club": post.club_id})
    return post
