"""Reply-address tokens and survey links (keyed by the site's secret)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings
from django.core import signing

SURVEY_SALT = "stagedoor.support.csat"
SURVEY_MAX_AGE_S = 30 * 24 * 3600


def reply_token(ticket_id: str) -> str:
    mac = hmac.new(settings.SECRET_KEY.encode(), f"support.reply.{ticket_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:15]).decode().lower()  # 24 characters, 120 bits


def reply_token_ok(ticket_id: str, token: str) -> bool:
    return hmac.compare_digest(reply_token(ticket_id), token.lower())


def reply_address(ticket_id: str) -> str:
    return f"support+{ticket_id}.{reply_token(ticket_id)}@{settings.STAGEDOOR.support.reply_domain}"


def desk_address() -> str:
    return f"support@{settings.STAGEDOOR.support.reply_domain}"


def survey_token(ticket_id: str) -> str:
    return signing.dumps({"t": ticket_id}, salt=SURVEY_SALT, compress=False)


def survey_ticket_id(token: str) -> str | None:
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=SURVEY_MAX_AGE_S)
    except signing.BadSignature:
        return None
    value = data.get("t") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


VIEW_SALT = "stagedoor.support.view"
VIEW_MAX_AGE_S = 180 * 24 * 3600


def view_token(ticket_id: str) -> str:
    """A guest's key to their ticket's page (sent only to the requester's address)."""
    return signing.dumps({"v": ticket_id}, salt=VIEW_SALT, compress=False)


def view_ticket_id(token: str) -> str | None:
    try:
        data = signing.loads(token, salt=VIEW_SALT, max_age=VIEW_MAX_AGE_S)
    except signing.BadSignature:
        return None
    value = data.get("v") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None
