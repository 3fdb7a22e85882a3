"""Fan media files encrypted at rest: a random AES-256-GCM data key per file, wrapped by the keyring's active
key-encryption key (`core.crypto`) and bound to the media id; only the wrapped token is in the database.

File layout: ``SDF1`` + 12-byte nonce + ciphertext (the media id as associated data). Files live under
``<var>/fans/media/``, mode 0600, outside the directory the site serves statically: the app serves them through
a view that checks who asks.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from stagedoor.core.crypto import DecryptionError, keyring

MAGIC = b"SDF1"


def media_root() -> Path:
    return Path(settings.STAGEDOOR.var_dir) / "fans" / "media"


def _context(media_id: str) -> str:
    return f"fans.media.{media_id}"


def seal(media_id: str, content: bytes) -> tuple[str, bytes]:
    """(wrapped data key, file bytes) for `content`."""
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    blob = MAGIC + nonce + AESGCM(data_key).encrypt(nonce, content, media_id.encode())
    wrapped = keyring().encrypt(base64.b64encode(data_key).decode(), context=_context(media_id))
    return wrapped, blob


def unseal(media_id: str, wrapped_key: str, blob: bytes) -> bytes:
    data_key = base64.b64decode(keyring().decrypt(wrapped_key, context=_context(media_id)))
    if not blob.startswith(MAGIC):
        raise DecryptionError("not a sealed fan media file")
    nonce, body = blob[len(MAGIC) : len(MAGIC) + 12], blob[len(MAGIC) + 12 :]
    try:
        return AESGCM(data_key).decrypt(nonce, body, media_id.encode())
    except InvalidTag:
        raise DecryptionError("media file was altered or belongs to another record") from None


def write_file(relative: str, blob: bytes) -> None:
    path = media_root() / relative
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(blob)


def read_file(relative: str) -> bytes:
    return (media_root() / relative).read_bytes()


def remove_file(relative: str) -> None:
    (media_root() / relative).unlink(missing_ok=True)
