"""A software WebAuthn authenticator for tests: a real EC P-256 key, real CBOR, real signatures.

It answers `navigator.credentials.create` and `.get` options the way a browser and a platform authenticator
would: clientDataJSON, a "none" attestation object, authenticator data with the RP id hash, flags and a counter.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

UP, UV, AT = 0x01, 0x04, 0x40


@dataclass
class SoftAuthenticator:
    origin: str
    rp_id: str
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    sign_count: int = 0
    user_handle: bytes = b""

    def _client_data(self, kind: str, challenge: str, origin: str | None = None) -> bytes:
        body = {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        return json.dumps(body, separators=(",", ":")).encode()

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _auth_data(self, flags: int, *, attested: bool, rp_id: str | None = None) -> bytes:
        data = (
            hashlib.sha256((rp_id or self.rp_id).encode()).digest()
            + bytes([flags])
            + struct.pack(">I", self.sign_count)
        )
        if attested:
            data += bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        return data

    def create(self, options: dict[str, Any], *, origin: str | None = None) -> dict[str, Any]:
        """The PublicKeyCredential JSON a browser sends after `navigator.credentials.create(options)`."""
        public_key = options["publicKey"]
        self.user_handle = base64url_to_bytes(public_key["user"]["id"])
        client_data = self._client_data("webauthn.create", public_key["challenge"], origin)
        attestation = cbor2.dumps(
            {"fmt": "none", "attStmt": {}, "authData": self._auth_data(UP | UV | AT, attested=True)}
        )
        cid = bytes_to_base64url(self.credential_id)
        return {
            "id": cid,
            "rawId": cid,
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["internal", "hybrid"],
            },
            "clientExtensionResults": {},
        }

    def get(self, options: dict[str, Any], *, origin: str | None = None, rp_id: str | None = None) -> dict[str, Any]:
        """The PublicKeyCredential JSON a browser sends after `navigator.credentials.get(options)`."""
        public_key = options["publicKey"]
        allowed = [c["id"] for c in public_key.get("allowCredentials", [])]
        cid = bytes_to_base64url(self.credential_id)
        assert not allowed or cid in allowed, "the server did not ask for this credential"
        self.sign_count += 1
        client_data = self._client_data("webauthn.get", public_key["challenge"], origin)
        auth_data = self._auth_data(UP | UV, attested=False, rp_id=rp_id)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": cid,
            "rawId": cid,
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "authenticatorData": bytes_to_base64url(auth_data),
                "signature": bytes_to_base64url(signature),
                "userHandle": bytes_to_base64url(self.user_handle),
            },
            "clientExtensionResults": {},
        }
