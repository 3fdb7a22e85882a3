"""The payouts API (see docs/payouts.md)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["payouts"])
