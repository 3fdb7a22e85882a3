"""The support desk: the inbound mail listener, reply addresses, attachment limits, business hours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stagedoor.core.config.vars import ConfigError, Var, _integer, _text

SUPPORT_SMTP_HOST = Var("STAGEDOOR_SUPPORT_SMTP_HOST", _text("127.0.0.1"))
# 0: no listener. `stagedoor run` listens on 2525 unless told otherwise (a failed bind is logged, not fatal).
SUPPORT_SMTP_PORT = Var("STAGEDOOR_SUPPORT_SMTP_PORT", _integer(2525, 0, 65535))
SUPPORT_REPLY_DOMAIN = Var("STAGEDOOR_SUPPORT_REPLY_DOMAIN", _text("support.stagedoor.invalid"))
SUPPORT_ATTACHMENT_MAX_MB = Var("STAGEDOOR_SUPPORT_ATTACHMENT_MAX_MB", _integer(10, 1, 100))
SUPPORT_MAIL_MAX_MB = Var("STAGEDOOR_SUPPORT_MAIL_MAX_MB", _integer(80, 1, 500))
SUPPORT_MAILS_PER_HOUR = Var("STAGEDOOR_SUPPORT_MAILS_PER_HOUR", _integer(20, 1, 100_000))
SUPPORT_MAILGUN_SIGNING_KEY = Var("STAGEDOOR_SUPPORT_MAILGUN_SIGNING_KEY", _text(""))
SUPPORT_BUSINESS_HOURS = Var("STAGEDOOR_SUPPORT_BUSINESS_HOURS", _text("08-20"))
SUPPORT_BUSINESS_DAYS = Var("STAGEDOOR_SUPPORT_BUSINESS_DAYS", _text("1234567"))


@dataclass(frozen=True)
class SupportConfig:
    """The embedded SMTP listener (host, port; 0 = off), the domain of reply addresses
    (`support+<ticket>.<token>@domain`), the largest attachment kept and the largest mail taken, the inbound
    mails one address may send an hour before the rest are held, Mailgun's webhook signing key (empty: the
    webhook is off), and business hours (UTC, "08-20") on ISO weekdays ("12345" = Monday to Friday) over which
    SLA targets count."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    reply_domain: str = "support.stagedoor.invalid"
    attachment_max_mb: int = 10
    mail_max_mb: int = 80
    mails_per_hour: int = 20
    mailgun_signing_key: str = field(default="", repr=False)
    business_hours: tuple[int, int] = (8, 20)
    business_days: frozenset[int] = frozenset({1, 2, 3, 4, 5, 6, 7})


SUPPORT_VARS = {
    "smtp_host": SUPPORT_SMTP_HOST,
    "smtp_port": SUPPORT_SMTP_PORT,
    "reply_domain": SUPPORT_REPLY_DOMAIN,
    "attachment_max_mb": SUPPORT_ATTACHMENT_MAX_MB,
    "mail_max_mb": SUPPORT_MAIL_MAX_MB,
    "mails_per_hour": SUPPORT_MAILS_PER_HOUR,
    "mailgun_signing_key": SUPPORT_MAILGUN_SIGNING_KEY,
}


def _hours(raw: str) -> tuple[int, int]:
    start, sep, end = raw.partition("-")
    try:
        first, last = int(start), int(end)
    except ValueError:
        raise ConfigError(SUPPORT_BUSINESS_HOURS.name, f"expected hours like 08-20, got {raw!r}") from None
    if not sep or not 0 <= first < last <= 24:
        raise ConfigError(SUPPORT_BUSINESS_HOURS.name, f"expected hours like 08-20 (0–24), got {raw!r}")
    return first, last


def _days(raw: str) -> frozenset[int]:
    if not raw or any(c not in "1234567" for c in raw):
        raise ConfigError(SUPPORT_BUSINESS_DAYS.name, f"expected ISO weekdays like 12345, got {raw!r}")
    return frozenset(int(c) for c in raw)


def _support_config(env: Mapping[str, str]) -> SupportConfig:
    values: dict[str, Any] = {name: var.read(env) for name, var in SUPPORT_VARS.items()}
    values["business_hours"] = _hours(SUPPORT_BUSINESS_HOURS.read(env))
    values["business_days"] = _days(SUPPORT_BUSINESS_DAYS.read(env))
    config = SupportConfig(**values)
    if config.attachment_max_mb > config.mail_max_mb:
        raise ConfigError(SUPPORT_ATTACHMENT_MAX_MB.name, "must not exceed STAGEDOOR_SUPPORT_MAIL_MAX_MB")
    return config
