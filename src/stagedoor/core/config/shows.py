"""Shows (per-minute billing), the SFU (Janus) behind WebRTC, fan clubs and private messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stagedoor.core.config.vars import ConfigError, Var, _executable, _integer, _port, _text, _url

# --- shows: per-minute billing ------------------------------------------------------------------------------
SHOWS_MINUTE_SECONDS = Var("STAGEDOOR_SHOWS_MINUTE_SECONDS", _integer(60, 1, 3600))
SHOWS_RATE_MIN = Var("STAGEDOOR_SHOWS_RATE_MIN", _integer(6, 1, 100_000))
SHOWS_RATE_MAX = Var("STAGEDOOR_SHOWS_RATE_MAX", _integer(999, 1, 100_000))
SHOWS_TICKET_MAX = Var("STAGEDOOR_SHOWS_TICKET_MAX", _integer(10_000, 1, 1_000_000))
SHOWS_BILL_AHEAD_S = Var("STAGEDOOR_SHOWS_BILL_AHEAD_S", _integer(5, 0, 600))
SHOWS_WARN_MINUTES = Var("STAGEDOOR_SHOWS_WARN_MINUTES", _integer(1, 0, 60))
SHOWS_HEARTBEAT_S = Var("STAGEDOOR_SHOWS_HEARTBEAT_S", _integer(20, 2, 600))
SHOWS_REQUEST_TIMEOUT_S = Var("STAGEDOOR_SHOWS_REQUEST_TIMEOUT_S", _integer(120, 5, 3600))
# --- the SFU (Janus) ----------------------------------------------------------------------------------------
SHOWS_JANUS_URL = Var("STAGEDOOR_SHOWS_JANUS_URL", _url("", ("http", "https"), "http://127.0.0.1:8088/janus"))
SHOWS_JANUS_BIN = Var("STAGEDOOR_SHOWS_JANUS_BIN", _executable)
SHOWS_JANUS_PORT = Var("STAGEDOOR_SHOWS_JANUS_PORT", _port(8188))
SHOWS_JANUS_API_SECRET = Var("STAGEDOOR_SHOWS_JANUS_API_SECRET", _text(""))
SHOWS_RTP_PORTS = Var("STAGEDOOR_SHOWS_RTP_PORTS", _text("20000-20999"))
SHOWS_PUBLIC_IP = Var("STAGEDOOR_SHOWS_PUBLIC_IP", _text(""))
SHOWS_STUN_URL = Var("STAGEDOOR_SHOWS_STUN_URL", _text(""))
SHOWS_TURN_URL = Var("STAGEDOOR_SHOWS_TURN_URL", _text(""))
SHOWS_TURN_USERNAME = Var("STAGEDOOR_SHOWS_TURN_USERNAME", _text(""))
SHOWS_TURN_CREDENTIAL = Var("STAGEDOOR_SHOWS_TURN_CREDENTIAL", _text(""))
# --- fan clubs and private messages -------------------------------------------------------------------------
FANS_PERIOD_DAYS = Var("STAGEDOOR_FANS_PERIOD_DAYS", _integer(30, 1, 366))
FANS_GRACE_DAYS = Var("STAGEDOOR_FANS_GRACE_DAYS", _integer(3, 0, 60))
FANS_PRICE_MIN = Var("STAGEDOOR_FANS_PRICE_MIN", _integer(10, 1, 1_000_000))
FANS_PRICE_MAX = Var("STAGEDOOR_FANS_PRICE_MAX", _integer(10_000, 1, 1_000_000))
FANS_UPLOAD_MAX_MB = Var("STAGEDOOR_FANS_UPLOAD_MAX_MB", _integer(50, 1, 2000))
FANS_MESSAGE_PRICE_MAX = Var("STAGEDOOR_FANS_MESSAGE_PRICE_MAX", _integer(500, 1, 100_000))


@dataclass(frozen=True)
class ShowsConfig:
    """Per-minute billing (the length of a billed minute — 60 s, shortened only in tests —, the rate limits,
    how early the next minute is charged, how many minutes ahead a viewer is warned, how long a page may go
    without a heartbeat, how long a private request waits) and the SFU: Janus's URL (empty: Stagedoor starts
    the `janus` binary it finds itself, on `janus_port`), its API secret (generated when empty), the UDP port
    range for media, the public IP announced in candidates (NAT 1:1), and the STUN/TURN servers given to
    browsers."""

    minute_seconds: int = 60
    rate_min: int = 6
    rate_max: int = 999
    ticket_max: int = 10_000
    bill_ahead_s: int = 5
    warn_minutes: int = 1
    heartbeat_s: int = 20
    request_timeout_s: int = 120
    janus_url: str = ""
    janus_bin: str = ""
    janus_port: int = 8188
    janus_api_secret: str = field(default="", repr=False)
    rtp_ports: tuple[int, int] = (20000, 20999)
    public_ip: str = ""
    stun_url: str = ""
    turn_url: str = ""
    turn_username: str = ""
    turn_credential: str = field(default="", repr=False)


@dataclass(frozen=True)
class FansConfig:
    """Fan clubs (the length of a paid period, the grace after a failed renewal, price limits, the upload limit
    for fan posts) and private messages (the most a performer may charge per message or unlock)."""

    period_days: int = 30
    grace_days: int = 3
    price_min: int = 10
    price_max: int = 10_000
    upload_max_mb: int = 50
    message_price_max: int = 500


SHOWS_VARS = {
    "minute_seconds": SHOWS_MINUTE_SECONDS,
    "rate_min": SHOWS_RATE_MIN,
    "rate_max": SHOWS_RATE_MAX,
    "ticket_max": SHOWS_TICKET_MAX,
    "bill_ahead_s": SHOWS_BILL_AHEAD_S,
    "warn_minutes": SHOWS_WARN_MINUTES,
    "heartbeat_s": SHOWS_HEARTBEAT_S,
    "request_timeout_s": SHOWS_REQUEST_TIMEOUT_S,
    "janus_url": SHOWS_JANUS_URL,
    "janus_bin": SHOWS_JANUS_BIN,
    "janus_port": SHOWS_JANUS_PORT,
    "janus_api_secret": SHOWS_JANUS_API_SECRET,
    "public_ip": SHOWS_PUBLIC_IP,
    "stun_url": SHOWS_STUN_URL,
    "turn_url": SHOWS_TURN_URL,
    "turn_username": SHOWS_TURN_USERNAME,
    "turn_credential": SHOWS_TURN_CREDENTIAL,
}
FANS_VARS = {
    "period_days": FANS_PERIOD_DAYS,
    "grace_days": FANS_GRACE_DAYS,
    "price_min": FANS_PRICE_MIN,
    "price_max": FANS_PRICE_MAX,
    "upload_max_mb": FANS_UPLOAD_MAX_MB,
    "message_price_max": FANS_MESSAGE_PRICE_MAX,
}


def _port_range(raw: str) -> tuple[int, int]:
    low, sep, high = raw.partition("-")
    try:
        first, last = int(low), int(high)
    except ValueError:
        raise ConfigError(SHOWS_RTP_PORTS.name, f"expected a range like 20000-20999, got {raw!r}") from None
    if not sep or not 1024 <= first < last <= 65535:
        raise ConfigError(SHOWS_RTP_PORTS.name, f"expected a range like 20000-20999, got {raw!r}")
    return first, last


def _shows_config(env: Mapping[str, str]) -> ShowsConfig:
    values: dict[str, Any] = {name: var.read(env) for name, var in SHOWS_VARS.items()}
    values["rtp_ports"] = _port_range(SHOWS_RTP_PORTS.read(env))
    config = ShowsConfig(**values)
    if config.rate_min > config.rate_max:
        raise ConfigError(SHOWS_RATE_MIN.name, f"must not exceed STAGEDOOR_SHOWS_RATE_MAX ({config.rate_max})")
    if config.turn_url and not (config.turn_username and config.turn_credential):
        raise ConfigError(SHOWS_TURN_URL.name, "set STAGEDOOR_SHOWS_TURN_USERNAME and _CREDENTIAL with it")
    return config


def _fans_config(env: Mapping[str, str]) -> FansConfig:
    values: dict[str, Any] = {name: var.read(env) for name, var in FANS_VARS.items()}
    config = FansConfig(**values)
    if config.price_min > config.price_max:
        raise ConfigError(FANS_PRICE_MIN.name, f"must not exceed STAGEDOOR_FANS_PRICE_MAX ({config.price_max})")
    return config
