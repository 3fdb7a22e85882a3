"""Settings from the environment (`STAGEDOOR_*`), validated once at start-up.

Everything the operator can set is parsed here, so a wrong value fails with one
line that names the variable. Nothing in the domain code reads `os.environ`.
"""

from __future__ import annotations

import math
import os
import secrets
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

PREFIX = "STAGEDOOR_"


SETTINGS_MODULE = "stagedoor.settings"


def use_stagedoor_settings() -> None:
    """Point Django at Stagedoor's settings (the one place outside settings.py that touches the environment:
    the command line, the ASGI app and the Celery app call it before Django starts)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)


class ConfigError(Exception):
    """A setting is wrong or unreachable. `str()` is one line naming it."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")


def _env(name: str, env: dict[str, str]) -> str | None:
    value = env.get(PREFIX + name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _bool(name: str, env: dict[str, str], default: bool) -> bool:
    raw = _env(name, env)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(PREFIX + name, f"expected true/false, got {raw!r}")


def _int(name: str, env: dict[str, str], default: int, *, minimum: int = 0) -> int:
    return _integer(default, minimum)(PREFIX + name, env.get(PREFIX + name))


# --- one validator per variable ---------------------------------------------------------------
# `load()` reads each `Var` from the environment. The wallet and payment ones are also Django
# settings (settings.py sets them from the loaded Config, tests override them), and
# wallet/conf.py and payments/conf.py validate every read with the same `Var`.

type Parser[T] = Callable[[str, object], T]


@dataclass(frozen=True)
class Var[T]:
    """An environment variable: its name and the validator that turns a raw value into a setting.

    The raw value is the environment's string or a Django setting's value; unset or blank is the
    default. A wrong value raises ConfigError naming the variable.
    """

    name: str
    parse: Parser[T]

    def __call__(self, raw: object) -> T:
        return self.parse(self.name, raw)

    def read(self, env: Mapping[str, str]) -> T:
        return self(env.get(self.name))

    def setting(self, settings: object) -> T:
        """The Django setting of the same name, validated (settings.py derives it from the environment)."""
        return self(getattr(settings, self.name, None))


def _text_of(raw: object) -> str | None:
    if raw is None:
        return None
    text = str(raw).strip()
    return text or None


def _integer(default: int, minimum: int, maximum: int | None = None) -> Parser[int]:
    def parse(name: str, raw: object) -> int:
        text = _text_of(raw)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise ConfigError(name, f"expected an integer, got {text!r}") from None
        if maximum is None and value < minimum:
            raise ConfigError(name, f"must be at least {minimum}, got {value}")
        if maximum is not None and not minimum <= value <= maximum:
            raise ConfigError(name, f"must be between {minimum} and {maximum}, got {value}")
        return value

    return parse


def _port(default: int) -> Parser[int]:
    return _integer(default, 1, 65535)


def _seconds(default: float) -> Parser[float]:
    def parse(name: str, raw: object) -> float:
        text = _text_of(raw)
        if text is None:
            return default
        try:
            value = float(text)
        except ValueError:
            raise ConfigError(name, f"expected a number of seconds, got {text!r}") from None
        if not math.isfinite(value) or value < 0:
            raise ConfigError(name, f"must be 0 or more (and finite), got {text!r}")
        return value

    return parse


def _optional_flag(name: str, raw: object) -> bool | None:
    text = _text_of(raw)
    if text is None:
        return None
    if text.lower() in {"1", "true", "yes", "on"}:
        return True
    if text.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(name, f"expected true/false, got {text!r}")


def _choice(default: str, choices: tuple[str, ...]) -> Parser[str]:
    def parse(name: str, raw: object) -> str:
        value = (_text_of(raw) or default).lower()
        if value not in choices:
            raise ConfigError(name, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    return parse


def _text(default: str) -> Parser[str]:
    def parse(name: str, raw: object) -> str:
        return _text_of(raw) or default

    return parse


def _host(default: str) -> Parser[str]:
    def parse(name: str, raw: object) -> str:
        value = _text_of(raw) or default
        if any(c.isspace() or c == "/" for c in value):
            raise ConfigError(name, f"expected a host name or IP address, got {value!r}")
        return value

    return parse


def _url(default: str, schemes: tuple[str, ...], example: str) -> Parser[str]:
    def parse(name: str, raw: object) -> str:
        value = _text_of(raw)
        if value is None:
            return default
        parsed = urlparse(value)
        if parsed.scheme not in schemes or not parsed.hostname:
            raise ConfigError(name, f"expected {example}, got {value!r}")
        return value.rstrip("/")

    return parse


def _file(name: str, raw: object) -> str:
    path = _text_of(raw) or ""
    if path and not Path(path).is_file():
        raise ConfigError(name, f"no such file {path!r}")
    return path


def _executable(name: str, raw: object) -> str:
    path = _text_of(raw) or ""
    if path and shutil.which(path) is None:
        raise ConfigError(name, f"no executable {path!r}")
    return path


def _demo_performer(name: str, raw: object) -> str:
    if raw is None:
        return "demo_performer"
    value = str(raw).strip()  # set but empty: no demo broadcaster
    if any(c.isspace() for c in value):
        raise ConfigError(name, f"expected a login, got {value!r}")
    return value


def _currency(name: str, raw: object) -> str:
    value = (_text_of(raw) or "USD").upper()
    if len(value) != 3 or not value.isalpha():
        raise ConfigError(name, f"expected a 3-letter ISO code, got {value!r}")
    return value


def _digits(name: str, raw: object) -> str:
    value = _text_of(raw) or ""
    if value and not value.isdigit():
        raise ConfigError(name, f"expected a number, got {value!r}")
    return value


CHARGEBACK_POLICIES = ("platform_absorbs", "clawback")

HOST = Var("STAGEDOOR_HOST", _host("127.0.0.1"))
PORT = Var("STAGEDOOR_PORT", _port(8000))
CHAT_PORT = Var("STAGEDOOR_CHAT_PORT", _port(8001))

RTMP_HOST = Var("STAGEDOOR_RTMP_HOST", _host("0.0.0.0"))  # noqa: S104 - an ingest listens for encoders
RTMP_PORT = Var("STAGEDOOR_RTMP_PORT", _port(1935))
RTMPS_PORT = Var("STAGEDOOR_RTMPS_PORT", _port(1936))
RTMPS_CERT = Var("STAGEDOOR_RTMPS_CERT", _file)
RTMPS_KEY = Var("STAGEDOOR_RTMPS_KEY", _file)
RTMP_PUBLIC_URL = Var("STAGEDOOR_RTMP_PUBLIC_URL", _url("", ("rtmp", "rtmps"), "rtmp://host[:port]/live"))
STREAM_GRACE_S = Var("STAGEDOOR_STREAM_GRACE_S", _seconds(15.0))
FFMPEG = Var("STAGEDOOR_FFMPEG", _executable)
DEMO_PERFORMER = Var("STAGEDOOR_DEMO_PERFORMER", _demo_performer)

WALLET_PERFORMER_SHARE_BP = Var("STAGEDOOR_WALLET_PERFORMER_SHARE_BP", _integer(5000, 0, 10_000))
WALLET_HOLD_DAYS = Var("STAGEDOOR_WALLET_HOLD_DAYS", _integer(7, 0, 365))
WALLET_PAYOUT_RATE_MINOR = Var("STAGEDOOR_WALLET_PAYOUT_RATE_MINOR", _integer(10, 0, 1_000_000))
WALLET_PAYOUT_CURRENCY = Var("STAGEDOOR_WALLET_PAYOUT_CURRENCY", _currency)
WALLET_CHARGEBACK_POLICY = Var("STAGEDOOR_WALLET_CHARGEBACK_POLICY", _choice("platform_absorbs", CHARGEBACK_POLICIES))
WALLET_MAX_TIP = Var("STAGEDOOR_WALLET_MAX_TIP", _integer(100_000, 1, 10**9))
WALLET_ROLLUP_EVERY = Var("STAGEDOOR_WALLET_ROLLUP_EVERY", _integer(200, 1, 10**6))

PAYMENTS_SANDBOX = Var("STAGEDOOR_PAYMENTS_SANDBOX", _optional_flag)  # unset: on unless a processor is set
PAYMENTS_SANDBOX_DELIVERY = Var("STAGEDOOR_PAYMENTS_SANDBOX_DELIVERY", _choice("direct", ("direct", "http")))
VEROTEL_SHOP_ID = Var("STAGEDOOR_VEROTEL_SHOP_ID", _digits)
VEROTEL_SIGNATURE_KEY = Var("STAGEDOOR_VEROTEL_SIGNATURE_KEY", _text(""))
VEROTEL_STARTORDER_URL = Var(
    "STAGEDOOR_VEROTEL_STARTORDER_URL",
    _url("https://secure.verotel.com/startorder", ("http", "https"), "https://host/startorder"),
)
BTCPAY_URL = Var("STAGEDOOR_BTCPAY_URL", _url("", ("http", "https"), "https://your-btcpay.example"))
BTCPAY_STORE_ID = Var("STAGEDOOR_BTCPAY_STORE_ID", _text(""))
BTCPAY_API_KEY = Var("STAGEDOOR_BTCPAY_API_KEY", _text(""))
BTCPAY_WEBHOOK_SECRET = Var("STAGEDOOR_BTCPAY_WEBHOOK_SECRET", _text(""))


def require_together(*given: tuple[Var[str], str]) -> None:
    """Variables that only work together: all set or none. Names the first one missing."""
    missing = [var.name for var, value in given if not value]
    if missing and len(missing) < len(given):
        present = ", ".join(var.name for var, value in given if value)
        raise ConfigError(missing[0], f"must be set together with {present}")


@dataclass(frozen=True)
class ServerConfig:
    """Where `stagedoor run` / `web` listen by default (`--host`/`--port` win)."""

    host: str
    port: int


@dataclass(frozen=True)
class StreamingConfig:
    rtmp_host: str
    rtmp_port: int
    rtmps_port: int
    rtmps_cert: str  # RTMPS is on when cert and key are both set
    rtmps_key: str
    rtmp_public_url: str  # "": rtmp://<the page's host>:<rtmp_port>/live
    grace_s: float
    ffmpeg: str  # "": the binary inside the imageio-ffmpeg wheel
    demo_performer: str  # "": no demo broadcaster


@dataclass(frozen=True)
class WalletConfig:
    performer_share_bp: int
    hold_days: int
    payout_rate_minor: int
    payout_currency: str
    chargeback_policy: str
    max_tip: int
    rollup_every: int


@dataclass(frozen=True)
class PaymentsConfig:
    sandbox: bool | None  # None: on unless Verotel or BTCPay is configured
    sandbox_delivery: str
    verotel_shop_id: str
    verotel_signature_key: str = field(repr=False)
    verotel_startorder_url: str
    btcpay_url: str
    btcpay_store_id: str
    btcpay_api_key: str = field(repr=False)
    btcpay_webhook_secret: str = field(repr=False)


def _server_config(env: Mapping[str, str]) -> ServerConfig:
    return ServerConfig(host=HOST.read(env), port=PORT.read(env))


def _streaming_config(env: Mapping[str, str]) -> StreamingConfig:
    streaming = StreamingConfig(
        rtmp_host=RTMP_HOST.read(env),
        rtmp_port=RTMP_PORT.read(env),
        rtmps_port=RTMPS_PORT.read(env),
        rtmps_cert=RTMPS_CERT.read(env),
        rtmps_key=RTMPS_KEY.read(env),
        rtmp_public_url=RTMP_PUBLIC_URL.read(env),
        grace_s=STREAM_GRACE_S.read(env),
        ffmpeg=FFMPEG.read(env),
        demo_performer=DEMO_PERFORMER.read(env),
    )
    require_together((RTMPS_CERT, streaming.rtmps_cert), (RTMPS_KEY, streaming.rtmps_key))
    if streaming.rtmps_cert:
        import ssl

        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
                streaming.rtmps_cert, streaming.rtmps_key
            )
        except (ssl.SSLError, OSError) as exc:
            raise ConfigError(RTMPS_CERT.name, f"cannot load it with {RTMPS_KEY.name}: {exc}") from None
    return streaming


def _wallet_config(env: Mapping[str, str]) -> WalletConfig:
    return WalletConfig(
        performer_share_bp=WALLET_PERFORMER_SHARE_BP.read(env),
        hold_days=WALLET_HOLD_DAYS.read(env),
        payout_rate_minor=WALLET_PAYOUT_RATE_MINOR.read(env),
        payout_currency=WALLET_PAYOUT_CURRENCY.read(env),
        chargeback_policy=WALLET_CHARGEBACK_POLICY.read(env),
        max_tip=WALLET_MAX_TIP.read(env),
        rollup_every=WALLET_ROLLUP_EVERY.read(env),
    )


def _payments_config(env: Mapping[str, str]) -> PaymentsConfig:
    payments = PaymentsConfig(
        sandbox=PAYMENTS_SANDBOX.read(env),
        sandbox_delivery=PAYMENTS_SANDBOX_DELIVERY.read(env),
        verotel_shop_id=VEROTEL_SHOP_ID.read(env),
        verotel_signature_key=VEROTEL_SIGNATURE_KEY.read(env),
        verotel_startorder_url=VEROTEL_STARTORDER_URL.read(env),
        btcpay_url=BTCPAY_URL.read(env),
        btcpay_store_id=BTCPAY_STORE_ID.read(env),
        btcpay_api_key=BTCPAY_API_KEY.read(env),
        btcpay_webhook_secret=BTCPAY_WEBHOOK_SECRET.read(env),
    )
    require_together(
        (VEROTEL_SHOP_ID, payments.verotel_shop_id), (VEROTEL_SIGNATURE_KEY, payments.verotel_signature_key)
    )
    require_together(
        (BTCPAY_URL, payments.btcpay_url),
        (BTCPAY_STORE_ID, payments.btcpay_store_id),
        (BTCPAY_API_KEY, payments.btcpay_api_key),
        (BTCPAY_WEBHOOK_SECRET, payments.btcpay_webhook_secret),
    )
    return payments


# --- trust & safety: the review queue (SLAs, appeals, moderator well-being, report flood) ----------------
MODERATION_SLA_CRITICAL_MIN = Var("STAGEDOOR_MODERATION_SLA_CRITICAL_MIN", _integer(15, 1, 10_080))
MODERATION_SLA_HIGH_MIN = Var("STAGEDOOR_MODERATION_SLA_HIGH_MIN", _integer(60, 1, 10_080))
MODERATION_SLA_MEDIUM_MIN = Var("STAGEDOOR_MODERATION_SLA_MEDIUM_MIN", _integer(240, 1, 10_080))
MODERATION_SLA_LOW_MIN = Var("STAGEDOOR_MODERATION_SLA_LOW_MIN", _integer(1440, 1, 43_200))
MODERATION_APPEAL_DAYS = Var("STAGEDOOR_MODERATION_APPEAL_DAYS", _integer(14, 1, 365))
MODERATION_EXPOSURE_CAP = Var("STAGEDOOR_MODERATION_EXPOSURE_CAP", _integer(25, 0, 10_000))
MODERATION_BREAK_MIN = Var("STAGEDOOR_MODERATION_BREAK_MIN", _integer(90, 5, 1440))
MODERATION_SHIFT_HOURS = Var("STAGEDOOR_MODERATION_SHIFT_HOURS", _integer(8, 1, 24))
MODERATION_REPORTS_PER_HOUR = Var("STAGEDOOR_MODERATION_REPORTS_PER_HOUR", _integer(10, 1, 10_000))


@dataclass(frozen=True)
class ModerationCasesConfig:
    """The review queue: minutes to act per severity, the appeal window, a moderator's shift (graphic items
    revealed before those cases go to others, minutes before a break prompt) and reports per reporter per hour."""

    sla_critical_min: int = 15
    sla_high_min: int = 60
    sla_medium_min: int = 240
    sla_low_min: int = 1440
    appeal_days: int = 14
    exposure_cap: int = 25
    break_min: int = 90
    shift_hours: int = 8
    reports_per_hour: int = 10


def _moderation_cases_config(env: Mapping[str, str]) -> ModerationCasesConfig:
    return ModerationCasesConfig(
        sla_critical_min=MODERATION_SLA_CRITICAL_MIN.read(env),
        sla_high_min=MODERATION_SLA_HIGH_MIN.read(env),
        sla_medium_min=MODERATION_SLA_MEDIUM_MIN.read(env),
        sla_low_min=MODERATION_SLA_LOW_MIN.read(env),
        appeal_days=MODERATION_APPEAL_DAYS.read(env),
        exposure_cap=MODERATION_EXPOSURE_CAP.read(env),
        break_min=MODERATION_BREAK_MIN.read(env),
        shift_hours=MODERATION_SHIFT_HOURS.read(env),
        reports_per_hour=MODERATION_REPORTS_PER_HOUR.read(env),
    )


# --- trust & safety: video frame scanning (moderation/frames) ---------------------------------------------
MODERATION_NUDITY_MODEL = Var("STAGEDOOR_MODERATION_NUDITY_MODEL", _file)
MODERATION_HASH_DISTANCE = Var("STAGEDOOR_MODERATION_HASH_DISTANCE", _integer(31, 0, 128))
MODERATION_FRAME_QUEUE = Var("STAGEDOOR_MODERATION_FRAME_QUEUE", _integer(32, 1, 10_000))
MODERATION_FRAME_WORKERS = Var("STAGEDOOR_MODERATION_FRAME_WORKERS", _integer(1, 1, 64))
MODERATION_SAMPLE_STANDARD_S = Var("STAGEDOOR_MODERATION_SAMPLE_STANDARD_S", _seconds(10.0))
MODERATION_SAMPLE_TRUSTED_S = Var("STAGEDOOR_MODERATION_SAMPLE_TRUSTED_S", _seconds(30.0))


@dataclass(frozen=True)
class FrameScanConfig:
    """Frame samples from live streams: the nudity model ("": NudeNet's 320n.onnx inside the nudenet wheel),
    the PDQ match distance, the scan queue and threads, and the scan interval of established and long-trusted
    rooms (new performers and recently flagged rooms get every sample)."""

    nudity_model: str = ""
    hash_distance: int = 31
    queue_size: int = 32
    workers: int = 1
    standard_interval_s: float = 10.0
    trusted_interval_s: float = 30.0


def _frame_scan_config(env: Mapping[str, str]) -> FrameScanConfig:
    return FrameScanConfig(
        nudity_model=MODERATION_NUDITY_MODEL.read(env),
        hash_distance=MODERATION_HASH_DISTANCE.read(env),
        queue_size=MODERATION_FRAME_QUEUE.read(env),
        workers=MODERATION_FRAME_WORKERS.read(env),
        standard_interval_s=MODERATION_SAMPLE_STANDARD_S.read(env),
        trusted_interval_s=MODERATION_SAMPLE_TRUSTED_S.read(env),
    )


# --- identity and age verification (verification) ----------------------------------------------------------
VERIFICATION_VERIFF_URL = Var(
    "STAGEDOOR_VERIFICATION_VERIFF_URL", _url("https://stationapi.veriff.com", ("http", "https"), "https://host")
)
VERIFICATION_VERIFF_API_KEY = Var("STAGEDOOR_VERIFICATION_VERIFF_API_KEY", _text(""))
VERIFICATION_VERIFF_SECRET = Var("STAGEDOOR_VERIFICATION_VERIFF_SECRET", _text(""))
VERIFICATION_ONFIDO_URL = Var(
    "STAGEDOOR_VERIFICATION_ONFIDO_URL", _url("https://api.eu.onfido.com", ("http", "https"), "https://host")
)
VERIFICATION_ONFIDO_API_TOKEN = Var("STAGEDOOR_VERIFICATION_ONFIDO_API_TOKEN", _text(""))
VERIFICATION_ONFIDO_WEBHOOK_TOKEN = Var("STAGEDOOR_VERIFICATION_ONFIDO_WEBHOOK_TOKEN", _text(""))
VERIFICATION_ONFIDO_WORKFLOW_ID = Var("STAGEDOOR_VERIFICATION_ONFIDO_WORKFLOW_ID", _text(""))
VERIFICATION_AGE_URL = Var("STAGEDOOR_VERIFICATION_AGE_URL", _url("", ("http", "https"), "https://host"))
VERIFICATION_AGE_API_KEY = Var("STAGEDOOR_VERIFICATION_AGE_API_KEY", _text(""))
VERIFICATION_AGE_SECRET = Var("STAGEDOOR_VERIFICATION_AGE_SECRET", _text(""))
VERIFICATION_ID_CHECK_VENDOR = Var("STAGEDOOR_VERIFICATION_ID_CHECK_VENDOR", _choice("", ("", "veriff", "onfido")))
VERIFICATION_UPLOAD_MAX_MB = Var("STAGEDOOR_VERIFICATION_UPLOAD_MAX_MB", _integer(15, 1, 200))
VERIFICATION_REVERIFY_DAYS = Var("STAGEDOOR_VERIFICATION_REVERIFY_DAYS", _integer(365, 0, 3650))
VERIFICATION_WARN_DAYS = Var("STAGEDOOR_VERIFICATION_WARN_DAYS", _integer(30, 0, 365))
VERIFICATION_REQUEST_DAYS = Var("STAGEDOOR_VERIFICATION_REQUEST_DAYS", _integer(14, 0, 365))
VERIFICATION_AGE_REMEMBER_DAYS = Var("STAGEDOOR_VERIFICATION_AGE_REMEMBER_DAYS", _integer(30, 0, 3650))
VERIFICATION_RECORDS_YEARS = Var("STAGEDOOR_VERIFICATION_RECORDS_YEARS", _integer(7, 1, 100))
VERIFICATION_RECOVERY_COOLING_HOURS = Var("STAGEDOOR_VERIFICATION_RECOVERY_COOLING_HOURS", _integer(72, 0, 720))
VERIFICATION_VIEW_LINK_S = Var("STAGEDOOR_VERIFICATION_VIEW_LINK_S", _integer(120, 10, 3600))


@dataclass(frozen=True)
class VerificationConfig:
    """Identity vendors (Veriff-style, Onfido-style; each on when its keys are set), the age-estimation vendor,
    which vendor runs viewers' ID checks ("": the first configured), the upload limit, re-verification (every N
    days, 0 = never; warned N days before a deadline; N days to comply with a staff request), how long a passed
    viewer age check is remembered, the record-keeping years after a last appearance, the recovery cooling-off
    and the lifetime of a staff document view link."""

    veriff_url: str = "https://stationapi.veriff.com"
    veriff_api_key: str = field(default="", repr=False)
    veriff_secret: str = field(default="", repr=False)
    onfido_url: str = "https://api.eu.onfido.com"
    onfido_api_token: str = field(default="", repr=False)
    onfido_webhook_token: str = field(default="", repr=False)
    onfido_workflow_id: str = ""
    age_url: str = ""
    age_api_key: str = field(default="", repr=False)
    age_secret: str = field(default="", repr=False)
    id_check_vendor: str = ""
    upload_max_mb: int = 15
    reverify_days: int = 365
    warn_days: int = 30
    request_days: int = 14
    age_remember_days: int = 30
    records_years: int = 7
    recovery_cooling_hours: int = 72
    view_link_s: int = 120


VERIFICATION_VARS = {
    "veriff_url": VERIFICATION_VERIFF_URL,
    "veriff_api_key": VERIFICATION_VERIFF_API_KEY,
    "veriff_secret": VERIFICATION_VERIFF_SECRET,
    "onfido_url": VERIFICATION_ONFIDO_URL,
    "onfido_api_token": VERIFICATION_ONFIDO_API_TOKEN,
    "onfido_webhook_token": VERIFICATION_ONFIDO_WEBHOOK_TOKEN,
    "onfido_workflow_id": VERIFICATION_ONFIDO_WORKFLOW_ID,
    "age_url": VERIFICATION_AGE_URL,
    "age_api_key": VERIFICATION_AGE_API_KEY,
    "age_secret": VERIFICATION_AGE_SECRET,
    "id_check_vendor": VERIFICATION_ID_CHECK_VENDOR,
    "upload_max_mb": VERIFICATION_UPLOAD_MAX_MB,
    "reverify_days": VERIFICATION_REVERIFY_DAYS,
    "warn_days": VERIFICATION_WARN_DAYS,
    "request_days": VERIFICATION_REQUEST_DAYS,
    "age_remember_days": VERIFICATION_AGE_REMEMBER_DAYS,
    "records_years": VERIFICATION_RECORDS_YEARS,
    "recovery_cooling_hours": VERIFICATION_RECOVERY_COOLING_HOURS,
    "view_link_s": VERIFICATION_VIEW_LINK_S,
}


def _verification_config(env: Mapping[str, str]) -> VerificationConfig:
    values: dict[str, Any] = {name: var.read(env) for name, var in VERIFICATION_VARS.items()}
    verification = VerificationConfig(**values)
    require_together(
        (VERIFICATION_VERIFF_API_KEY, verification.veriff_api_key),
        (VERIFICATION_VERIFF_SECRET, verification.veriff_secret),
    )
    require_together(
        (VERIFICATION_ONFIDO_API_TOKEN, verification.onfido_api_token),
        (VERIFICATION_ONFIDO_WEBHOOK_TOKEN, verification.onfido_webhook_token),
        (VERIFICATION_ONFIDO_WORKFLOW_ID, verification.onfido_workflow_id),
    )
    require_together(
        (VERIFICATION_AGE_URL, verification.age_url),
        (VERIFICATION_AGE_API_KEY, verification.age_api_key),
        (VERIFICATION_AGE_SECRET, verification.age_secret),
    )
    return verification


# --- trust & safety: chat classification (moderation/text) -------------------------------------------------
MODERATION_TEXT_CATEGORIES = ("minor_risk", "off_platform", "scam", "doxxing", "harassment")


def _text_policy(name: str, raw: object) -> str:
    """`category=action[,category=action…]`, actions allow/hold/block; minor_risk is at least hold."""
    text = _text_of(raw) or ""
    for part in filter(None, (p.strip() for p in text.split(","))):
        category, sep, action = (x.strip().lower() for x in part.partition("="))
        if not sep or category not in MODERATION_TEXT_CATEGORIES or action not in ("allow", "hold", "block"):
            categories = ", ".join(MODERATION_TEXT_CATEGORIES)
            raise ConfigError(name, f"expected category=allow|hold|block ({categories}), got {part!r}")
        if category == "minor_risk" and action == "allow":
            raise ConfigError(name, "minor_risk is always at least hold")
    return text


MODERATION_TEXT_MODEL = Var("STAGEDOOR_MODERATION_TEXT_MODEL", _file)
MODERATION_TEXT_POLICY = Var("STAGEDOOR_MODERATION_TEXT_POLICY", _text_policy)


@dataclass(frozen=True)
class ModerationConfig:
    """The chat classifier: its model file ("": the one shipped in moderation/text/data) and the platform's
    action per category ("": hold every category)."""

    text_model: str = ""
    text_policy: str = ""


def _moderation_config(env: Mapping[str, str]) -> ModerationConfig:
    return ModerationConfig(text_model=MODERATION_TEXT_MODEL.read(env), text_policy=MODERATION_TEXT_POLICY.read(env))


@dataclass(frozen=True)
class Config:
    var_dir: Path
    debug: bool
    secret_key: str
    database_url: str | None
    redis_url: str | None
    allowed_hosts: list[str]
    base_url: str
    tls: bool
    email_url: str
    log_level: str
    log_json: bool
    media_dir: Path
    terms_version: str
    login_max_failures: int
    login_lockout_seconds: int
    server: ServerConfig
    streaming: StreamingConfig
    wallet: WalletConfig
    payments: PaymentsConfig
    chat_host: str = "127.0.0.1"
    chat_port: int = 8001
    chat_url: str = ""
    metrics_token: str = ""
    geo_header: str = ""
    geoip_mmdb: str = ""
    encryption_keys: dict[str, bytes] = field(repr=False, default_factory=dict)
    active_key_id: str = ""
    moderation_cases: ModerationCasesConfig = field(default_factory=ModerationCasesConfig)
    frames: FrameScanConfig = field(default_factory=FrameScanConfig)
    verification: VerificationConfig = field(default_factory=VerificationConfig)
    moderation: ModerationConfig = field(default_factory=ModerationConfig)

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def uses_redis(self) -> bool:
        return self.redis_url is not None


def _load_or_create_secret(path: Path, nbytes: int) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def _parse_keys(raw: str) -> tuple[dict[str, bytes], str]:
    """`kid1:base64key,kid2:base64key` — the first is the active key."""
    import base64
    import binascii

    keys: dict[str, bytes] = {}
    active = ""
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        kid, sep, b64 = part.partition(":")
        if not sep or not kid:
            raise ConfigError(PREFIX + "ENCRYPTION_KEYS", "expected 'id:base64key[,id:base64key…]'")
        try:
            key = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
        except (binascii.Error, ValueError):
            raise ConfigError(PREFIX + "ENCRYPTION_KEYS", f"key {kid!r} is not base64") from None
        if len(key) != 32:
            raise ConfigError(PREFIX + "ENCRYPTION_KEYS", f"key {kid!r} must be 32 bytes, got {len(key)}")
        keys[kid] = key
        active = active or kid
    if not keys:
        raise ConfigError(PREFIX + "ENCRYPTION_KEYS", "no key given")
    return keys, active


def _chat_url(env: dict[str, str]) -> str:
    url = _env("CHAT_URL", env) or ""
    if url and urlparse(url).scheme not in {"ws", "wss"}:
        raise ConfigError(PREFIX + "CHAT_URL", f"expected ws://… or wss://…, got {url!r}")
    return url


def _geoip_mmdb(env: dict[str, str]) -> str:
    path = _env("GEOIP_MMDB", env)
    if path and not Path(path).is_file():
        raise ConfigError(PREFIX + "GEOIP_MMDB", f"no such file {path!r}")
    return path or ""


def load(env: dict[str, str] | None = None) -> Config:
    env = dict(os.environ if env is None else env)
    var_dir = Path(_env("VAR_DIR", env) or Path.cwd() / "var").resolve()

    database_url = _env("DATABASE_URL", env)
    if database_url is not None:
        scheme = urlparse(database_url).scheme
        if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
            raise ConfigError(PREFIX + "DATABASE_URL", f"unsupported scheme {scheme!r} (use postgres:// or sqlite://)")
        if scheme == "sqlite":
            database_url = None if database_url in {"sqlite://", "sqlite:///"} else database_url
    redis_url = _env("REDIS_URL", env)
    if redis_url is not None and urlparse(redis_url).scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError(PREFIX + "REDIS_URL", f"expected redis://host:port/db, got {redis_url!r}")

    secret_key = _env("SECRET_KEY", env) or _load_or_create_secret(var_dir / "secret_key", 48)
    if len(secret_key) < 32:
        raise ConfigError(PREFIX + "SECRET_KEY", "must be at least 32 characters")

    raw_keys = _env("ENCRYPTION_KEYS", env)
    if raw_keys is None:
        # token_urlsafe(32) is the unpadded url-safe base64 of 32 random bytes.
        raw_keys = "local1:" + _load_or_create_secret(var_dir / "encryption_key", 32)
    keys, active = _parse_keys(raw_keys)

    base_url = _env("BASE_URL", env) or "http://127.0.0.1:8000"
    parsed = urlparse(base_url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ConfigError(PREFIX + "BASE_URL", f"expected http(s)://host[:port], got {base_url!r}")
    hosts_raw = _env("ALLOWED_HOSTS", env)
    allowed_hosts = (
        [h.strip() for h in hosts_raw.split(",") if h.strip()]
        if hosts_raw
        else [parsed.hostname, "127.0.0.1", "localhost", "testserver"]
    )

    email_url = _env("EMAIL_URL", env) or f"file://{var_dir / 'mail'}"
    if urlparse(email_url).scheme not in {"file", "console", "smtp", "smtps", "locmem"}:
        raise ConfigError(
            PREFIX + "EMAIL_URL", "expected console://, file:///path, smtp://user:pass@host:port or smtps://…"
        )

    log_level = (_env("LOG_LEVEL", env) or "INFO").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(PREFIX + "LOG_LEVEL", f"expected DEBUG/INFO/WARNING/ERROR, got {log_level!r}")

    return Config(
        var_dir=var_dir,
        debug=_bool("DEBUG", env, False),
        secret_key=secret_key,
        database_url=database_url,
        redis_url=redis_url,
        allowed_hosts=allowed_hosts,
        base_url=base_url.rstrip("/"),
        tls=_bool("TLS", env, parsed.scheme == "https"),
        email_url=email_url,
        log_level=log_level,
        log_json=_bool("LOG_JSON", env, True),
        media_dir=Path(_env("MEDIA_DIR", env) or var_dir / "media").resolve(),
        terms_version=_env("TERMS_VERSION", env) or "2026-11",
        login_max_failures=_int("LOGIN_MAX_FAILURES", env, 5, minimum=1),
        login_lockout_seconds=_int("LOGIN_LOCKOUT_SECONDS", env, 900, minimum=1),
        server=_server_config(env),
        streaming=_streaming_config(env),
        wallet=_wallet_config(env),
        payments=_payments_config(env),
        chat_host=_env("CHAT_HOST", env) or "127.0.0.1",
        chat_port=CHAT_PORT.read(env),
        chat_url=_chat_url(env),
        metrics_token=_env("METRICS_TOKEN", env) or "",
        geo_header=_env("GEO_HEADER", env) or "",
        geoip_mmdb=_geoip_mmdb(env),
        encryption_keys=keys,
        active_key_id=active,
        moderation_cases=_moderation_cases_config(env),
        frames=_frame_scan_config(env),
        verification=_verification_config(env),
        moderation=_moderation_config(env),
    )


def check_reachable(config: Config) -> None:
    """Connect to the configured database and Redis; raise ConfigError naming the setting."""
    if config.database_url and urlparse(config.database_url).scheme != "sqlite":  # a file needs no server
        import psycopg

        url = config.database_url
        try:
            with psycopg.connect(url, connect_timeout=5) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConfigError(PREFIX + "DATABASE_URL", f"cannot connect: {first}") from None
    if config.redis_url:
        import redis

        try:
            redis.Redis.from_url(config.redis_url, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            raise ConfigError(PREFIX + "REDIS_URL", f"cannot connect: {exc}") from None
