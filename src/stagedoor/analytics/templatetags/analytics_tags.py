"""Analytics' template tags.

- `survey_banner`: the surveys banner every page shows a signed-in person with open surveys to answer
  (`{% optional_include "analytics/_survey_banner.html" %}` in web/base.html).
- `table_body`: the body of a dashboard's data table, built in one pass. A dashboard page shows several hundred
  cells (a row per day, a column per source). Rendered by the template engine, each cell is a loop step, a variable
  lookup and a `localize` call — about half of the page's time. This filter gives the exact same markup: each
  distinct value is localized and escaped once (the same zeros and days repeat across columns and tables), and the
  rows are joined in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from stagedoor.analytics.selectors import surveys as survey_selectors

register = template.Library()


@register.inclusion_tag("analytics/_survey_banner_inner.html", takes_context=True)
def survey_banner(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    on_surveys = request is not None and request.path.startswith("/surveys")
    count = survey_selectors.unanswered_count(user) if user is not None and not on_surveys else 0
    return {"count": count}


@register.filter
def table_body(rows: Sequence[Sequence[Any]]) -> SafeString:
    """`<tr>` rows (after the header row) of `rows`, or one "No data." row spanning the header's width."""
    if len(rows) < 2:
        width = len(rows[0]) if rows else 0
        return mark_safe(f'<tr><td colspan="{width}">No data.</td></tr>')  # noqa: S308 - an integer only
    cells: dict[tuple[type, Any], str] = {}
    out = []
    for row in rows[1:]:
        parts = ["<tr>"]
        for value in row:
            try:
                key = (type(value), value)
                cell = cells.get(key)
            except TypeError:  # an unhashable value: not memoized
                key, cell = None, None
            if cell is None:
                cell = f"<td>{conditional_escape(localize(value))}</td>"
                if key is not None:
                    cells[key] = cell
            parts.append(cell)
        parts.append("</tr>")
        out.append("".join(parts))
    return mark_safe("".join(out))  # noqa: S308 - every value passed through conditional_escape
