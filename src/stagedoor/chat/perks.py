"""Hooks apps above chat use to give people flags and badges (fan clubs today).

- a **flag provider** `(user, room) -> flags` adds flags to a chat ticket (`"fan"`): the pipeline's audience
  modes read them (`AUDIENCE_FANS` needs `"fan"`), and badges come from them;
- a **badge** names a flag shown next to the author's name in chat (`register_badge("fan", "Fan")`): message
  frames carry `user.badges`, the chat page draws them.

Registered from the other app's `AppConfig.ready()`; without any, chat behaves as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

FlagProvider = Callable[[Any, Any], Iterable[str]]

_providers: dict[str, FlagProvider] = {}
_badges: dict[str, str] = {}


def set_flag_provider(name: str, provider: FlagProvider | None) -> None:
    """Register (or with None remove) the provider called `name`."""
    if provider is None:
        _providers.pop(name, None)
    else:
        _providers[name] = provider


def extra_flags(user: Any, room: Any) -> set[str]:
    flags: set[str] = set()
    for provider in list(_providers.values()):
        flags.update(provider(user, room))
    return flags


def register_badge(flag: str, label: str) -> None:
    _badges[flag] = label


def badges_of(flags: Iterable[str]) -> list[str]:
    """The badge flags among `flags`, in a stable order."""
    return sorted(f for f in flags if f in _badges)


def badge_labels() -> dict[str, str]:
    return dict(_badges)
