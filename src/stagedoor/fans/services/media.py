"""Storing a performer's photo or clip: size check, metadata stripped (`fans.media`), sealed at rest (`fans.vault`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from stagedoor.accounts.roles import Role
from stagedoor.core.ids import new_id
from stagedoor.fans import errors, vault
from stagedoor.fans.media import ClipTooLong, MediaRefused, clean_media
from stagedoor.fans.models import MediaItem
from stagedoor.streaming.ingest import ffmpeg_binary

MB = 1024 * 1024


def upload_limit_bytes() -> int:
    return int(settings.STAGEDOOR.fans.upload_max_mb) * MB


def media_upload(*, owner: Any, data: bytes) -> MediaItem:
    """Clean and store `data` for `owner` (a performer). A refused file leaves nothing behind."""
    if getattr(owner, "role", None) != Role.PERFORMER:
        raise errors.NotAPerformer()
    limit = upload_limit_bytes()
    if len(data) > limit:
        raise errors.MediaTooLarge(
            f"This file is larger than {limit // MB} MB.", extra={"max_bytes": limit, "size": len(data)}
        )
    if not data:
        raise errors.MediaRejected("The file is empty.")
    try:
        clean = clean_media(data, ffmpeg=ffmpeg_binary(settings.STAGEDOOR.streaming.ffmpeg))
    except ClipTooLong as exc:
        raise errors.ClipTooLong(
            str(exc), extra={"seconds": round(exc.seconds, 1), "max_seconds": exc.max_seconds}
        ) from None
    except MediaRefused as exc:
        raise errors.MediaRejected(str(exc)) from None
    media_id = new_id()
    wrapped, blob = vault.seal(media_id, clean.content)
    relative = f"{media_id[:2]}/{media_id}.bin"
    vault.write_file(relative, blob)
    try:
        with transaction.atomic():
            return MediaItem.objects.create(
                id=media_id,
                owner=owner,
                kind=clean.kind,
                content_type=clean.content_type,
                size=len(clean.content),
                path=relative,
                wrapped_key=wrapped,
            )
    except BaseException:
        vault.remove_file(relative)
        raise


def media_content(media: MediaItem) -> bytes:
    """The cleaned file's bytes (decrypted); callers authorize first (`selectors.access_media`)."""
    return vault.unseal(media.pk, media.wrapped_key, vault.read_file(media.path))
