"""Settings of notifications, read from Django settings (tests override them) with safe defaults."""

from __future__ import annotations

from email.utils import parseaddr
from urllib.parse import urlparse

from django.conf import settings

# The push services browsers use (an endpoint elsewhere is refused: the server would POST to any URL otherwise).
DEFAULT_PUSH_HOSTS = (
    "fcm.googleapis.com",  # Chrome, Edge, Opera, Brave
    "push.services.mozilla.com",  # Firefox
    "notify.windows.com",  # legacy Edge
    "push.apple.com",  # Safari
)
BATCH_SIZE = 500  # notifications per delivery job
MAX_ATTEMPTS = 3  # delivery attempts before a notification counts as failed
MAX_DEVICES = 10  # push subscriptions per person
DROP_GRACE_MINUTES = 10  # a room back on air this soon after going offline is the same broadcast
STALE_CLAIM_MINUTES = 10  # a batch that claimed notifications and vanished for this long is retried


def push_hosts() -> tuple[str, ...]:
    """Hosts (and their subdomains) a push endpoint may name; `STAGEDOOR_NOTIFICATIONS_PUSH_HOSTS` overrides."""
    return tuple(getattr(settings, "STAGEDOOR_NOTIFICATIONS_PUSH_HOSTS", DEFAULT_PUSH_HOSTS))


def push_http_allowed() -> bool:
    """Plain http endpoints (a local fake push service in tests and benchmarks); never in production."""
    return bool(getattr(settings, "STAGEDOOR_NOTIFICATIONS_PUSH_ALLOW_HTTP", False))


def vapid_subject() -> str:
    """The VAPID `sub` claim: the site's contact address, so a push service can reach the operator."""
    _, address = parseaddr(str(getattr(settings, "DEFAULT_FROM_EMAIL", "")))
    if address:
        return f"mailto:{address}"
    return base_url()


def base_url() -> str:
    return str(settings.STAGEDOOR.base_url).rstrip("/")


def endpoint_allowed(endpoint: str) -> bool:
    parsed = urlparse(endpoint)
    host = (parsed.hostname or "").lower()
    if not host or parsed.username or parsed.password:
        return False
    if parsed.scheme != "https" and not (parsed.scheme == "http" and push_http_allowed()):
        return False
    return any(host == h or host.endswith("." + h) for h in push_hosts())
