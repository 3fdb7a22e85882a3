"""The fans API (see docs/fans.md)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["fans"])
