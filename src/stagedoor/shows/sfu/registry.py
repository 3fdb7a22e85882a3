"""The SFU this process talks to: the Janus the embedded runtime started, or one named by configuration."""

from __future__ import annotations

from .client import JanusClient

_current: JanusClient | None = None


def current_sfu() -> JanusClient | None:
    return _current


def set_current_sfu(client: JanusClient | None) -> None:
    global _current
    _current = client
