from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stagedoor.core import config
from stagedoor.core.config import (
    ConfigError,
    PaymentsConfig,
    ServerConfig,
    StreamingConfig,
    WalletConfig,
    check_reachable,
    load,
)


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"STAGEDOOR_VAR_DIR": str(tmp_path), **{f"STAGEDOOR_{k}": v for k, v in extra.items()}}


def test_embedded_defaults(tmp_path: Path) -> None:
    cfg = load(env(tmp_path))
    assert cfg.database_url is None and cfg.redis_url is None
    assert cfg.media_dir == tmp_path / "media"
    assert len(cfg.secret_key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load(env(tmp_path)).secret_key == cfg.secret_key  # persisted, stable across starts
    assert cfg.active_key_id == "local1" and len(cfg.encryption_keys["local1"]) == 32


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x/y", "STAGEDOOR_DATABASE_URL: unsupported scheme 'mysql'"),
        ("REDIS_URL", "http://localhost", "STAGEDOOR_REDIS_URL: expected redis://"),
        ("DEBUG", "maybe", "STAGEDOOR_DEBUG: expected true/false"),
        ("SECRET_KEY", "short", "STAGEDOOR_SECRET_KEY: must be at least 32 characters"),
        ("LOGIN_MAX_FAILURES", "zero", "STAGEDOOR_LOGIN_MAX_FAILURES: expected an integer"),
        ("ENCRYPTION_KEYS", "k1:AAAA", "STAGEDOOR_ENCRYPTION_KEYS: key 'k1' must be 32 bytes"),
        ("BASE_URL", "ftp://x", "STAGEDOOR_BASE_URL: expected http(s)://"),
        ("LOG_LEVEL", "LOUD", "STAGEDOOR_LOG_LEVEL"),
        ("TRUSTED_PROXIES", "10.0.0.0/8,nginx", "STAGEDOOR_TRUSTED_PROXIES: expected IP addresses or networks"),
    ],
)
def test_wrong_settings_name_the_variable(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(env(tmp_path, **{name: value}))
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_trusted_proxies_are_addresses_or_networks(tmp_path: Path) -> None:
    assert load(env(tmp_path)).server.trusted_proxies == ("127.0.0.1", "::1")
    cfg = load(env(tmp_path, TRUSTED_PROXIES=" 10.1.2.3, 172.16.0.0/12,fd00::/8 "))
    assert cfg.server.trusted_proxies == ("10.1.2.3/32", "172.16.0.0/12", "fd00::/8")


def test_unreachable_services_name_the_variable(tmp_path: Path) -> None:
    cfg = load(env(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none"))
    with pytest.raises(ConfigError, match=r"^STAGEDOOR_DATABASE_URL: cannot connect"):
        check_reachable(cfg)
    cfg = load(env(tmp_path, REDIS_URL="redis://127.0.0.1:1/0"))
    with pytest.raises(ConfigError, match=r"^STAGEDOOR_REDIS_URL: cannot connect"):
        check_reachable(cfg)


def test_cli_start_fails_with_one_clear_line(tmp_path: Path) -> None:
    stagedoor = Path(sys.executable).with_name("stagedoor")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STAGEDOOR_")}
    proc = subprocess.run(
        [str(stagedoor), "web", "--port", "1"],
        env={**clean, **env(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("stagedoor: configuration error: STAGEDOOR_REDIS_URL: cannot connect")


# --- server, streaming, wallet and payment variables ---------------------------------------------


def test_defaults_of_server_streaming_wallet_and_payments(tmp_path: Path) -> None:
    cfg = load(env(tmp_path))
    assert cfg.server == ServerConfig(host="127.0.0.1", port=8000)
    assert cfg.streaming == StreamingConfig(
        rtmp_host="0.0.0.0",  # noqa: S104
        rtmp_port=1935,
        rtmps_port=1936,
        rtmps_cert="",
        rtmps_key="",
        rtmp_public_url="",
        grace_s=15.0,
        ffmpeg="",
        demo_performer="demo_performer",
    )
    assert cfg.wallet == WalletConfig(
        performer_share_bp=5000,
        hold_days=7,
        payout_rate_minor=10,
        payout_currency="USD",
        chargeback_policy="platform_absorbs",
        max_tip=100_000,
        rollup_every=200,
    )
    assert cfg.payments == PaymentsConfig(
        sandbox=None,
        sandbox_delivery="direct",
        verotel_shop_id="",
        verotel_signature_key="",
        verotel_startorder_url="https://secure.verotel.com/startorder",
        btcpay_url="",
        btcpay_store_id="",
        btcpay_api_key="",
        btcpay_webhook_secret="",
    )
    assert cfg.chat_port == 8001


@pytest.mark.parametrize(
    ("name", "value", "path", "expected"),
    [
        ("HOST", "0.0.0.0", "server.host", "0.0.0.0"),  # noqa: S104
        ("PORT", "8080", "server.port", 8080),
        ("CHAT_PORT", "9001", "chat_port", 9001),
        ("RTMP_HOST", "127.0.0.1", "streaming.rtmp_host", "127.0.0.1"),
        ("RTMP_PORT", "1940", "streaming.rtmp_port", 1940),
        ("RTMP_PORT", "65535", "streaming.rtmp_port", 65535),
        ("RTMPS_PORT", "443", "streaming.rtmps_port", 443),
        (
            "RTMP_PUBLIC_URL",
            "rtmps://ingest.example.test:443/live/",
            "streaming.rtmp_public_url",
            "rtmps://ingest.example.test:443/live",
        ),
        ("STREAM_GRACE_S", "2.5", "streaming.grace_s", 2.5),
        ("STREAM_GRACE_S", "0", "streaming.grace_s", 0.0),
        ("FFMPEG", sys.executable, "streaming.ffmpeg", sys.executable),
        ("DEMO_PERFORMER", "nova", "streaming.demo_performer", "nova"),
        ("DEMO_PERFORMER", "", "streaming.demo_performer", ""),  # set but empty: no demo broadcaster
        ("WALLET_PERFORMER_SHARE_BP", "10000", "wallet.performer_share_bp", 10_000),
        ("WALLET_HOLD_DAYS", "0", "wallet.hold_days", 0),
        ("WALLET_PAYOUT_RATE_MINOR", "25", "wallet.payout_rate_minor", 25),
        ("WALLET_PAYOUT_CURRENCY", "eur", "wallet.payout_currency", "EUR"),
        ("WALLET_CHARGEBACK_POLICY", "Clawback", "wallet.chargeback_policy", "clawback"),
        ("WALLET_MAX_TIP", "500", "wallet.max_tip", 500),
        ("WALLET_ROLLUP_EVERY", "1", "wallet.rollup_every", 1),
        ("PAYMENTS_SANDBOX", "off", "payments.sandbox", False),
        ("PAYMENTS_SANDBOX", "true", "payments.sandbox", True),
        ("PAYMENTS_SANDBOX_DELIVERY", "http", "payments.sandbox_delivery", "http"),
        (
            "VEROTEL_STARTORDER_URL",
            "https://secure.example-brand.test/startorder",
            "payments.verotel_startorder_url",
            "https://secure.example-brand.test/startorder",
        ),
    ],
)
def test_valid_values(tmp_path: Path, name: str, value: str, path: str, expected: object) -> None:
    got: object = load(env(tmp_path, **{name: value}))
    for attribute in path.split("."):
        got = getattr(got, attribute)
    assert got == expected


def test_processors_configured_together(tmp_path: Path) -> None:
    cfg = load(
        env(
            tmp_path,
            VEROTEL_SHOP_ID="12345",
            VEROTEL_SIGNATURE_KEY="verotel-s1gnature-key",
            BTCPAY_URL="https://btcpay.example.test/",
            BTCPAY_STORE_ID="store",
            BTCPAY_API_KEY="btcpay-ap1-key",
            BTCPAY_WEBHOOK_SECRET="btcpay-h00k-secret",
        )
    )
    assert (cfg.payments.verotel_shop_id, cfg.payments.verotel_signature_key) == ("12345", "verotel-s1gnature-key")
    assert (cfg.payments.btcpay_url, cfg.payments.btcpay_store_id) == ("https://btcpay.example.test", "store")
    assert (cfg.payments.btcpay_api_key, cfg.payments.btcpay_webhook_secret) == ("btcpay-ap1-key", "btcpay-h00k-secret")
    shown = repr(cfg)  # secrets never appear in the config's repr (logs, tracebacks)
    assert "s1gnature" not in shown and "h00k" not in shown and "ap1" not in shown


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ingest.example.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_rtmps_certificate_and_key(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    cfg = load(env(tmp_path, RTMPS_CERT=str(cert), RTMPS_KEY=str(key)))
    assert (cfg.streaming.rtmps_cert, cfg.streaming.rtmps_key) == (str(cert), str(key))
    with pytest.raises(ConfigError) as info:
        load(env(tmp_path, RTMPS_CERT=str(cert), RTMPS_KEY=str(cert)))  # not a key
    assert str(info.value).startswith("STAGEDOOR_RTMPS_CERT: cannot load it with STAGEDOOR_RTMPS_KEY: ")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HOST", "my host", "STAGEDOOR_HOST: expected a host name or IP address, got 'my host'"),
        ("PORT", "http", "STAGEDOOR_PORT: expected an integer, got 'http'"),
        ("PORT", "0", "STAGEDOOR_PORT: must be between 1 and 65535, got 0"),
        ("CHAT_PORT", "65536", "STAGEDOOR_CHAT_PORT: must be between 1 and 65535, got 65536"),
        ("RTMP_HOST", "a/b", "STAGEDOOR_RTMP_HOST: expected a host name or IP address, got 'a/b'"),
        ("RTMP_PORT", "abc", "STAGEDOOR_RTMP_PORT: expected an integer, got 'abc'"),
        ("RTMP_PORT", "70000", "STAGEDOOR_RTMP_PORT: must be between 1 and 65535, got 70000"),
        ("RTMPS_PORT", "-1", "STAGEDOOR_RTMPS_PORT: must be between 1 and 65535, got -1"),
        ("RTMPS_CERT", "/nonexistent/cert.pem", "STAGEDOOR_RTMPS_CERT: no such file '/nonexistent/cert.pem'"),
        ("RTMPS_KEY", "/nonexistent/key.pem", "STAGEDOOR_RTMPS_KEY: no such file '/nonexistent/key.pem'"),
        (
            "RTMP_PUBLIC_URL",
            "http://x/live",
            "STAGEDOOR_RTMP_PUBLIC_URL: expected rtmp://host[:port]/live, got 'http://x/live'",
        ),
        ("STREAM_GRACE_S", "-1", "STAGEDOOR_STREAM_GRACE_S: must be 0 or more (and finite), got '-1'"),
        ("STREAM_GRACE_S", "nan", "STAGEDOOR_STREAM_GRACE_S: must be 0 or more (and finite), got 'nan'"),
        ("STREAM_GRACE_S", "soon", "STAGEDOOR_STREAM_GRACE_S: expected a number of seconds, got 'soon'"),
        ("FFMPEG", "/nonexistent/ffmpeg", "STAGEDOOR_FFMPEG: no executable '/nonexistent/ffmpeg'"),
        ("DEMO_PERFORMER", "demo performer", "STAGEDOOR_DEMO_PERFORMER: expected a login, got 'demo performer'"),
        (
            "WALLET_PERFORMER_SHARE_BP",
            "10001",
            "STAGEDOOR_WALLET_PERFORMER_SHARE_BP: must be between 0 and 10000, got 10001",
        ),
        ("WALLET_HOLD_DAYS", "-1", "STAGEDOOR_WALLET_HOLD_DAYS: must be between 0 and 365, got -1"),
        ("WALLET_PAYOUT_RATE_MINOR", "1.5", "STAGEDOOR_WALLET_PAYOUT_RATE_MINOR: expected an integer, got '1.5'"),
        (
            "WALLET_PAYOUT_CURRENCY",
            "EURO",
            "STAGEDOOR_WALLET_PAYOUT_CURRENCY: expected a 3-letter ISO code, got 'EURO'",
        ),
        (
            "WALLET_CHARGEBACK_POLICY",
            "refund",
            "STAGEDOOR_WALLET_CHARGEBACK_POLICY: expected one of platform_absorbs, clawback, got 'refund'",
        ),
        ("WALLET_MAX_TIP", "0", "STAGEDOOR_WALLET_MAX_TIP: must be between 1 and 1000000000, got 0"),
        ("WALLET_ROLLUP_EVERY", "0", "STAGEDOOR_WALLET_ROLLUP_EVERY: must be between 1 and 1000000, got 0"),
        ("PAYMENTS_SANDBOX", "maybe", "STAGEDOOR_PAYMENTS_SANDBOX: expected true/false, got 'maybe'"),
        (
            "PAYMENTS_SANDBOX_DELIVERY",
            "email",
            "STAGEDOOR_PAYMENTS_SANDBOX_DELIVERY: expected one of direct, http, got 'email'",
        ),
        ("VEROTEL_SHOP_ID", "shop-1", "STAGEDOOR_VEROTEL_SHOP_ID: expected a number, got 'shop-1'"),
        (
            "VEROTEL_SHOP_ID",
            "12345",
            "STAGEDOOR_VEROTEL_SIGNATURE_KEY: must be set together with STAGEDOOR_VEROTEL_SHOP_ID",
        ),
        (
            "VEROTEL_SIGNATURE_KEY",
            "sig",
            "STAGEDOOR_VEROTEL_SHOP_ID: must be set together with STAGEDOOR_VEROTEL_SIGNATURE_KEY",
        ),
        (
            "VEROTEL_STARTORDER_URL",
            "secure.verotel.com",
            "STAGEDOOR_VEROTEL_STARTORDER_URL: expected https://host/startorder, got 'secure.verotel.com'",
        ),
        (
            "BTCPAY_URL",
            "btcpay.example.test",
            "STAGEDOOR_BTCPAY_URL: expected https://your-btcpay.example, got 'btcpay.example.test'",
        ),
        (
            "BTCPAY_URL",
            "https://btcpay.example.test",
            "STAGEDOOR_BTCPAY_STORE_ID: must be set together with STAGEDOOR_BTCPAY_URL",
        ),
        (
            "BTCPAY_WEBHOOK_SECRET",
            "hook",
            "STAGEDOOR_BTCPAY_URL: must be set together with STAGEDOOR_BTCPAY_WEBHOOK_SECRET",
        ),
    ],
)
def test_wrong_new_settings_name_the_variable(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(env(tmp_path, **{name: value}))
    assert str(info.value) == message


def test_rtmps_needs_certificate_and_key(tmp_path: Path) -> None:
    cert, _ = _self_signed(tmp_path)
    with pytest.raises(ConfigError) as info:
        load(env(tmp_path, RTMPS_CERT=str(cert)))
    assert str(info.value) == "STAGEDOOR_RTMPS_KEY: must be set together with STAGEDOOR_RTMPS_CERT"


# --- Django settings overrides go through the same validators ----------------------------------


@pytest.mark.parametrize(
    ("setting", "value", "read", "expected"),
    [
        ("STAGEDOOR_WALLET_HOLD_DAYS", 0, "wallet.hold_days", 0),
        ("STAGEDOOR_WALLET_PERFORMER_SHARE_BP", "6000", "wallet.performer_share_bp", 6000),
        ("STAGEDOOR_WALLET_CHARGEBACK_POLICY", "clawback", "wallet.chargeback_policy", "clawback"),
        ("STAGEDOOR_WALLET_PAYOUT_CURRENCY", "chf", "wallet.payout_currency", "CHF"),
        ("STAGEDOOR_PAYMENTS_SANDBOX", "false", "payments.sandbox_enabled", False),
        ("STAGEDOOR_PAYMENTS_SANDBOX", None, "payments.sandbox_enabled", True),
        ("STAGEDOOR_PAYMENTS_SANDBOX_DELIVERY", "HTTP", "payments.sandbox_delivery", "http"),
    ],
)
def test_settings_overrides_are_read(settings: Any, setting: str, value: object, read: str, expected: object) -> None:
    setattr(settings, setting, value)
    assert _conf(read)() == expected


@pytest.mark.parametrize(
    ("setting", "value", "read", "message"),
    [
        (
            "STAGEDOOR_WALLET_HOLD_DAYS",
            -1,
            "wallet.hold_days",
            "STAGEDOOR_WALLET_HOLD_DAYS: must be between 0 and 365, got -1",
        ),
        (
            "STAGEDOOR_WALLET_PERFORMER_SHARE_BP",
            10_001,
            "wallet.performer_share_bp",
            "STAGEDOOR_WALLET_PERFORMER_SHARE_BP: must be between 0 and 10000, got 10001",
        ),
        (
            "STAGEDOOR_WALLET_MAX_TIP",
            "lots",
            "wallet.max_tip",
            "STAGEDOOR_WALLET_MAX_TIP: expected an integer, got 'lots'",
        ),
        (
            "STAGEDOOR_PAYMENTS_SANDBOX",
            "maybe",
            "payments.sandbox_enabled",
            "STAGEDOOR_PAYMENTS_SANDBOX: expected true/false, got 'maybe'",
        ),
        (
            "STAGEDOOR_VEROTEL_SHOP_ID",
            "abc",
            "payments.verotel",
            "STAGEDOOR_VEROTEL_SHOP_ID: expected a number, got 'abc'",
        ),
        (
            "STAGEDOOR_VEROTEL_SHOP_ID",
            "123",
            "payments.verotel",
            "STAGEDOOR_VEROTEL_SIGNATURE_KEY: must be set together with STAGEDOOR_VEROTEL_SHOP_ID",
        ),
        (
            "STAGEDOOR_BTCPAY_API_KEY",
            "api",
            "payments.btcpay",
            "STAGEDOOR_BTCPAY_URL: must be set together with STAGEDOOR_BTCPAY_API_KEY",
        ),
    ],
)
def test_wrong_settings_overrides_name_the_variable(
    settings: Any, setting: str, value: object, read: str, message: str
) -> None:
    setattr(settings, setting, value)
    with pytest.raises(ConfigError) as info:
        _conf(read)()
    assert str(info.value) == message


def _conf(read: str) -> Callable[[], object]:
    from stagedoor.payments import conf as payments_conf
    from stagedoor.wallet import conf as wallet_conf

    module, function = read.split(".")
    reader: Callable[[], object] = getattr({"wallet": wallet_conf, "payments": payments_conf}[module], function)
    return reader


def test_a_setting_missing_from_django_settings_is_the_default() -> None:
    class Bare:
        pass

    assert config.WALLET_HOLD_DAYS.setting(Bare()) == 7
    assert config.PAYMENTS_SANDBOX.setting(Bare()) is None
