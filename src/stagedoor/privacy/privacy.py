"""Privacy's own part of data-subject requests: a person's requests and the legal holds on them.

Erasure keeps the request records themselves (who asked, when, what was done): they prove the request was
answered (GDPR Art. 5(2) accountability, Art. 17(3)(e)); they hold no contact details. Export archives not yet
fetched are wiped.
"""

from __future__ import annotations

from typing import Any

from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    register_eraser,
    register_exporter,
    rows,
)
from stagedoor.privacy.models import ExportFile, LegalHold, PrivacyRequest

ACCOUNTABILITY = "GDPR Art. 5(2) and 17(3)(e): proof that the request was received and answered"


def export_privacy(user: Any) -> ExportData:
    return {
        "requests": rows(
            PrivacyRequest.objects.filter(user=user).order_by("received_at"),
            ["id", "kind", "source", "status", "received_at", "due_at", "run_after", "completed_at", "outcome"],
        ),
    }


def erase_privacy(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    result.changed += ExportFile.objects.filter(request__user=ctx.user).exclude(content="").update(content="")
    result.keep("data-subject requests", ACCOUNTABILITY, PrivacyRequest.objects.filter(user=ctx.user).count())
    result.keep(
        "legal holds",
        "the hold's own reason (legal claims, GDPR Art. 17(3)(e))",
        LegalHold.objects.filter(user=ctx.user).count(),
    )
    return result


register_exporter("privacy", export_privacy)
register_eraser("privacy", erase_privacy)
