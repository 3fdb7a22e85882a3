"""The settings machinery: `Var` (a variable and its validator), the value parsers, `ConfigError`.

Every section module (`streaming`, `money`, `moderation`, `verification`) declares its variables with these.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

PREFIX = "STAGEDOOR_"


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


def require_together(*given: tuple[Var[str], str]) -> None:
    """Variables that only work together: all set or none. Names the first one missing."""
    missing = [var.name for var, value in given if not value]
    if missing and len(missing) < len(given):
        present = ", ".join(var.name for var, value in given if value)
        raise ConfigError(missing[0], f"must be set together with {present}")
