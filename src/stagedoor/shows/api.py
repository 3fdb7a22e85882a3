"""The shows API (see docs/shows.md)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["shows"])
