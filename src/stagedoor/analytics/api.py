"""The analytics API (see docs/analytics.md)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analytics"])
