from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stagedoor.core.config import ConfigError, check_reachable, load


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
    ],
)
def test_wrong_settings_name_the_variable(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(env(tmp_path, **{name: value}))
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


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
