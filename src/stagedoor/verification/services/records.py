"""Records for inspection: the custodian of records' export (audited)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import timezone

from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_record
from stagedoor.verification.selectors import RecordRow, records_rows

COLUMNS = [
    "kind",
    "subject_id",
    "login",
    "legal_name",
    "date_of_birth",
    "stage_names",
    "verification_id",
    "verification_method",
    "verification_status",
    "verified_at",
    "document_type",
    "document_expires_on",
    "document_refs",
    "first_on_air",
    "last_on_air",
    "dates_on_air",
    "retain_until",
    "erasure_exempt",
    "legal_basis",
]


def _cell(row: RecordRow, column: str) -> str:
    if column == "erasure_exempt":
        return "yes"
    value: Any = getattr(row, column)
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(v.isoformat() if hasattr(v, "isoformat") else str(v) for v in value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def records_view(*, actor: Any, ip: str = "") -> list[RecordRow]:
    """The custodian's screen: reading the records is itself recorded."""
    require_perm(actor, Perm.RECORDS_EXPORT)
    rows = records_rows(now=timezone.now())
    audit_record(actor=actor, action="verification.records_viewed", ip=ip, data={"rows": len(rows)})
    return rows


def records_export_csv(*, actor: Any, ip: str = "") -> str:
    require_perm(actor, Perm.RECORDS_EXPORT)
    rows = records_rows(now=timezone.now())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row, c) for c in COLUMNS])
    audit_record(actor=actor, action="verification.records_exported", ip=ip, data={"rows": len(rows)})
    return out.getvalue()
