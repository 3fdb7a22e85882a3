"""The export archive: every app's data of one person as a ZIP of JSON and CSV files with a README."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from typing import Any

from stagedoor.core.privacy_registry import ExportData

README = """Your data from Stagedoor
========================

Account: {login} (id {user_id})
Made: {made} (UTC)

This archive holds the personal data Stagedoor keeps about your account, one folder per part of the site.
Each table is there twice: as JSON (exact values, nested data kept) and as CSV (opens in a spreadsheet).
Times are ISO 8601 in UTC; money is in tokens (whole numbers) or minor units of a currency (cents).

Contents:
{contents}

What is not here: passwords and second-factor secrets (stored only as one-way hashes or not at all), and
other people's personal data. Questions or corrections: write to support from your account.
"""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _csv(rows: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def build_archive(*, login: str, user_id: str, made: datetime, data: dict[str, ExportData]) -> bytes:
    """`data`: app label -> table -> rows. Every table gets `<app>/<table>.json` and `<app>/<table>.csv`, even
    when empty (so the person sees what kinds of data exist)."""
    buffer = io.BytesIO()
    contents: list[str] = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for app_label in sorted(data):
            for table in sorted(data[app_label]):
                table_rows = data[app_label][table]
                base = f"{app_label}/{table}"
                archive.writestr(f"{base}.json", json.dumps(table_rows, ensure_ascii=False, indent=2, sort_keys=True))
                archive.writestr(f"{base}.csv", _csv(table_rows))
                contents.append(f"  {base}.json / .csv  ({len(table_rows)} rows)")
        archive.writestr(
            "README.txt",
            README.format(login=login, user_id=user_id, made=made.isoformat(), contents="\n".join(contents)),
        )
    return buffer.getvalue()
