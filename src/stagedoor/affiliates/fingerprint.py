"""Keyed hashes of where a click or a sign-up came from: enough to count repeats, useless outside this database.

`address_key`: the IP address; `network_key`: its /24 (IPv4) or /48 (IPv6) network; `device_key`: the browser's
user agent and languages. `is_bot`: user agents of crawlers, link previewers and scripts, whose "clicks" are not
people and are never counted.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re

from django.conf import settings

BOT_RE = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|embedly|headless|curl|wget|python-|httpx|"
    r"go-http-client|java/|okhttp|libwww|scrapy|phantomjs|monitor|pingdom|lighthouse",
    re.IGNORECASE,
)


def _key(kind: str, value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"stagedoor.affiliates.{kind}|{value}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def address_key(ip: str) -> str:
    return _key("ip", ip)


def network_key(ip: str) -> str:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return _key("net", ip)
    prefix = 24 if address.version == 4 else 48
    return _key("net", str(ipaddress.ip_network(f"{address}/{prefix}", strict=False)))


def device_key(user_agent: str, accept_language: str = "") -> str:
    return _key("dev", f"{user_agent[:400]}|{accept_language[:100]}")


def is_bot(user_agent: str) -> bool:
    """A user agent that is no person's browser: empty, or a crawler, previewer or script."""
    ua = (user_agent or "").strip()
    return not ua or BOT_RE.search(ua) is not None
