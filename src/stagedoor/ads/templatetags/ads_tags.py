"""`{% ad_slot "directory" %}`: an ad slot the page's script fills (GET /api/v1/ads/slots/<slot>) and reports in
view; `{{ micros|micros }}`: an amount in micros as currency units with two decimals (rounded down)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from stagedoor.ads.decision import SLOTS

register = template.Library()


@register.inclusion_tag("ads/_slot.html")
def ad_slot(slot: str, categories: Iterable[str] | str | None = None) -> dict[str, Any]:
    if slot not in SLOTS:
        raise template.TemplateSyntaxError(f"ad_slot: unknown slot {slot!r} (known: {', '.join(SLOTS)})")
    if isinstance(categories, str):
        categories = [categories] if categories else []
    width, height = SLOTS[slot]
    return {
        "slot": slot,
        "categories": ",".join(str(c) for c in list(categories or [])[:10]),
        "width": width,
        "height": height,
    }


@register.filter
def micros(value: int | None) -> str:
    units, rest = divmod(int(value or 0), 1_000_000)
    return f"{units:,}.{rest // 10_000:02d}"
