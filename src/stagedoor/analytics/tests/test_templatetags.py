"""The data tables' body filter gives the markup the template loop gave: escaped, localized, one row per day."""

from __future__ import annotations

from django.template import Context, Template

from stagedoor.analytics.templatetags.analytics_tags import table_body

LOOP = Template(
    '{% for row in rows|slice:"1:" %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>'
    '{% empty %}<tr><td colspan="{{ rows.0|length }}">No data.</td></tr>{% endfor %}'
)


def _loop(rows: list[list[object]]) -> str:
    return LOOP.render(Context({"rows": rows}))


def test_rows_render_like_the_template_loop_escaped() -> None:
    rows: list[list[object]] = [
        ["day", "tips", "name"],
        ["2026-11-01", 0, "<b>Ann & Bo</b>"],
        ["2026-11-02", 1234567, None],
        ["2026-11-03", 0, ["un", "hashable"]],
    ]
    body = table_body(rows)
    assert body == _loop(rows)
    assert "<td>&lt;b&gt;Ann &amp; Bo&lt;/b&gt;</td>" in body
    assert body.count("<tr>") == 3


def test_no_rows_is_one_row_across_the_header() -> None:
    assert table_body([["day", "tips", "total"]]) == '<tr><td colspan="3">No data.</td></tr>'
    assert table_body([["day", "tips", "total"]]) == _loop([["day", "tips", "total"]])
    assert table_body([]) == _loop([])
