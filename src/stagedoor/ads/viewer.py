"""Who asks for an ad, read from an HTTP request (the slot endpoint and the template tag share it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from stagedoor.ads.decision import device_of, language_of
from stagedoor.ads.services import Viewer
from stagedoor.core.geo import location_for_request
from stagedoor.core.middleware import client_ip


def viewer_from_request(request: HttpRequest, user: Any = None) -> Viewer:
    ua = request.headers.get("User-Agent", "")[:512]
    session = getattr(request, "session", None)
    return Viewer(
        user=user,
        session_key=str(getattr(session, "session_key", "") or ""),
        ip=client_ip(request),
        user_agent=ua,
        location=location_for_request(request),
        device=device_of(ua),
        language=language_of(request.headers.get("Accept-Language", "")[:200]),
    )
