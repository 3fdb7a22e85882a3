"""Encrypted document files: envelope encryption with a data key per document.

A random AES-256-GCM data key encrypts the file; the data key itself is wrapped by the active key-encryption key
through `core.crypto` (`Keyring.encrypt`, bound to the document's id), and that wrapped token is all the database
keeps (`Document.wrapped_key`). Rotating KEKs re-wraps the token (`Keyring.rewrap`) without touching the file.

File layout: ``SDV1`` + 12-byte nonce + ciphertext, with the document id as associated data, so a file moved
under another document's row does not decrypt. Files live under ``<var>/verification/documents/``, mode 0600,
outside the media directory the site serves.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from stagedoor.core.crypto import DecryptionError, keyring

MAGIC = b"SDV1"


def _context(document_id: str) -> str:
    return f"verification.document.{document_id}"


def seal(document_id: str, content: bytes) -> tuple[str, bytes]:
    """(wrapped data key, file bytes) for `content`."""
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    blob = MAGIC + nonce + AESGCM(data_key).encrypt(nonce, content, document_id.encode())
    wrapped = keyring().encrypt(base64.b64encode(data_key).decode(), context=_context(document_id))
    return wrapped, blob


def unseal(document_id: str, wrapped_key: str, blob: bytes) -> bytes:
    data_key = base64.b64decode(keyring().decrypt(wrapped_key, context=_context(document_id)))
    if not blob.startswith(MAGIC):
        raise DecryptionError("not a sealed document")
    nonce, body = blob[len(MAGIC) : len(MAGIC) + 12], blob[len(MAGIC) + 12 :]
    try:
        return AESGCM(data_key).decrypt(nonce, body, document_id.encode())
    except InvalidTag:
        raise DecryptionError("document file was altered or belongs to another record") from None


def write_file(root: Path, relative: str, blob: bytes) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(blob)


def read_file(root: Path, relative: str) -> bytes:
    return (root / relative).read_bytes()


def remove_file(root: Path, relative: str) -> None:
    (root / relative).unlink(missing_ok=True)
