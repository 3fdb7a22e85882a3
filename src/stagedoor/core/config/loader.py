"""`Config` (everything the operator set), `load()` from the environment and `check_reachable()`."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from stagedoor.core.config.ads import AdsConfig, _ads_config
from stagedoor.core.config.affiliates import AffiliatesConfig, _affiliates_config
from stagedoor.core.config.analytics import AnalyticsConfig, _analytics_config
from stagedoor.core.config.moderation import (
    FrameScanConfig,
    ModerationCasesConfig,
    ModerationConfig,
    _frame_scan_config,
    _moderation_cases_config,
    _moderation_config,
)
from stagedoor.core.config.money import PaymentsConfig, WalletConfig, _payments_config, _wallet_config
from stagedoor.core.config.payouts import PayoutsConfig, _payouts_config
from stagedoor.core.config.privacy import PrivacyConfig, _privacy_config
from stagedoor.core.config.shows import FansConfig, ShowsConfig, _fans_config, _shows_config
from stagedoor.core.config.streaming import CHAT_PORT, ServerConfig, StreamingConfig, _server_config, _streaming_config
from stagedoor.core.config.support import SupportConfig, _support_config
from stagedoor.core.config.vars import PREFIX, ConfigError, _bool, _env, _int
from stagedoor.core.config.verification import VerificationConfig, _verification_config
from stagedoor.core.config.webhooks import WebhooksConfig, _webhooks_config


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
    shows: ShowsConfig = field(default_factory=ShowsConfig)
    fans: FansConfig = field(default_factory=FansConfig)
    payouts: PayoutsConfig = field(default_factory=PayoutsConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    support: SupportConfig = field(default_factory=SupportConfig)
    analytics: AnalyticsConfig = field(default_factory=AnalyticsConfig)
    ads: AdsConfig = field(default_factory=AdsConfig)
    affiliates: AffiliatesConfig = field(default_factory=AffiliatesConfig)
    webhooks: WebhooksConfig = field(default_factory=WebhooksConfig)

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
        shows=_shows_config(env),
        fans=_fans_config(env),
        payouts=_payouts_config(env),
        privacy=_privacy_config(env),
        support=_support_config(env),
        analytics=_analytics_config(env),
        ads=_ads_config(env),
        affiliates=_affiliates_config(env),
        webhooks=_webhooks_config(env),
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
