"""Envelope encryption for sensitive fields.

Each value gets its own random data key (AES-256-GCM); the data key is wrapped by a
key-encryption key (KEK) named by id. Rotating KEKs means adding a new first key to
`STAGEDOOR_ENCRYPTION_KEYS` and re-wrapping data keys (`rewrap`), without touching the
ciphertext of the values themselves.

Token layout (ASCII): ``v1.<kek id>.<b64 wrapped data key>.<b64 nonce+ciphertext>``.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"


class DecryptionError(Exception):
    pass


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Keyring:
    def __init__(self, keys: dict[str, bytes], active_id: str) -> None:
        if active_id not in keys:
            raise ValueError(f"active key {active_id!r} not in keyring")
        for kid in keys:
            if "." in kid:
                raise ValueError("key ids may not contain '.'")
        self.keys = keys
        self.active_id = active_id

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        data_key = AESGCM.generate_key(bit_length=256)
        wrap_nonce = os.urandom(12)
        wrapped = wrap_nonce + AESGCM(self.keys[self.active_id]).encrypt(wrap_nonce, data_key, self.active_id.encode())
        nonce = os.urandom(12)
        body = nonce + AESGCM(data_key).encrypt(nonce, plaintext.encode(), context.encode())
        return ".".join([VERSION, self.active_id, _b64e(wrapped), _b64e(body)])

    def _unwrap(self, token: str) -> tuple[str, bytes, bytes]:
        try:
            version, kid, wrapped_b64, body_b64 = token.split(".")
        except ValueError:
            raise DecryptionError("malformed ciphertext") from None
        if version != VERSION:
            raise DecryptionError(f"unknown ciphertext version {version!r}")
        kek = self.keys.get(kid)
        if kek is None:
            raise DecryptionError(f"key {kid!r} is not in the keyring")
        wrapped = _b64d(wrapped_b64)
        try:
            data_key = AESGCM(kek).decrypt(wrapped[:12], wrapped[12:], kid.encode())
        except InvalidTag:
            raise DecryptionError("data key does not unwrap") from None
        return kid, data_key, _b64d(body_b64)

    def decrypt(self, token: str, *, context: str = "") -> str:
        _, data_key, body = self._unwrap(token)
        try:
            return AESGCM(data_key).decrypt(body[:12], body[12:], context.encode()).decode()
        except InvalidTag:
            raise DecryptionError("ciphertext was altered or belongs to another record") from None

    def key_id_of(self, token: str) -> str:
        return token.split(".", 2)[1]

    def rewrap(self, token: str) -> str:
        """Re-wrap the data key under the active KEK; the value's ciphertext is unchanged."""
        kid, data_key, body = self._unwrap(token)
        if kid == self.active_id:
            return token
        wrap_nonce = os.urandom(12)
        wrapped = wrap_nonce + AESGCM(self.keys[self.active_id]).encrypt(wrap_nonce, data_key, self.active_id.encode())
        return ".".join([VERSION, self.active_id, _b64e(wrapped), _b64e(body)])


def keyring() -> Keyring:
    from django.conf import settings

    cfg = settings.STAGEDOOR
    return Keyring(cfg.encryption_keys, cfg.active_key_id)
