"""Keyed hashes of personal values, kept beside their encrypted column so a row can be found by equality (the
e-mail at login, the sender of an inbound mail) without the value itself being stored in clear.

HMAC-SHA256 under the site's `SECRET_KEY` with a purpose prefix per kind of value, over the value normalised the way
equality is meant (an e-mail address: trimmed, lower-cased). Unkeyed, a hash of an e-mail address or an IP address
could be reversed by trying candidates; keyed, it says nothing without the key. Changing `SECRET_KEY` changes every
hash: see docs/privacy.md ("Keyed hashes") before doing so.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from django.conf import settings


def keyed_hash(message: str, *, secret: str | None = None) -> str:
    """HMAC-SHA256 of `message` under the site key (or `secret`), as 64 hex digits. Callers prefix `message` with
    their purpose."""
    key = settings.SECRET_KEY if secret is None else secret
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def normalise_email(value: str) -> str:
    """The form two addresses are equal in: surrounding spaces dropped, lower-cased (as accounts store them)."""
    return (value or "").strip().lower()


def normalise_text(value: str) -> str:
    return (value or "").strip()


NORMALISERS: dict[str, Callable[[str], str]] = {"email": normalise_email, "text": normalise_text}


def lookup_hash(kind: str, value: str | None) -> str:
    """The keyed hash stored beside an encrypted value of `kind` ("email", "text"); "" for an empty value."""
    normalised = NORMALISERS[kind](value or "")
    return keyed_hash(f"stagedoor.lookup.v1|{kind}|{normalised}") if normalised else ""


def email_hash(value: str | None) -> str:
    return lookup_hash("email", value)
