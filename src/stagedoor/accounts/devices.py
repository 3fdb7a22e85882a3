"""What a session's user agent and address say about it, coarsely: "Firefox on Linux", "203.0.113.0/24".

Pure functions (no Django): a security page needs a device a person recognises, not a fingerprint.
"""

from __future__ import annotations

import ipaddress
import re

# Order matters: Edge and Opera say "Chrome", Chrome says "Safari".
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chromium", re.compile(r"\bChromium/")),
    ("Chrome", re.compile(r"\bChrome/|\bCriOS/|HeadlessChrome/")),
    ("Safari", re.compile(r"\bSafari/")),
    ("curl", re.compile(r"^curl/")),
    ("Python", re.compile(r"python-requests|python-httpx|aiohttp|urllib", re.I)),
)
_SYSTEMS = (
    ("Android", re.compile(r"\bAndroid\b")),
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Linux", re.compile(r"\bLinux\b|\bX11\b")),
)


def describe_device(user_agent: str) -> str:
    """A short name for the browser and system in `user_agent`, e.g. "Chrome on Android"."""
    ua = (user_agent or "").strip()
    if not ua:
        return "Unknown device"
    browser = next((name for name, pattern in _BROWSERS if pattern.search(ua)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(ua)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


def network_of(ip: str) -> str:
    """The address truncated to its network (/24 for IPv4, /48 for IPv6): enough to tell places apart, not a person."""
    try:
        addr = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return ""
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))
