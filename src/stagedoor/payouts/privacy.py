"""payouts' part of data-subject requests (core.privacy_registry).

Payout methods that were paid to, payout items and sanctions screening cases are financial and anti-money-
laundering records and are kept, encrypted (AMLD Art. 40: 5 years; tax law: up to 10). A payout method never
used for a payout is removed.
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
from stagedoor.payouts.models import PayoutItem, PayoutMethod, ScreeningCase

AML = "payout and anti-money-laundering records (EU AMLD Art. 40; tax law; GDPR Art. 6(1)(c), 17(3)(b))"


def export_payouts(user: Any) -> ExportData:
    return {
        "payout_methods": rows(
            PayoutMethod.objects.filter(performer=user).order_by("created_at"),
            ["id", "version", "kind", "holder_name", "details", "created_at", "superseded_at"],
        ),
        "payout_items": rows(
            PayoutItem.objects.filter(performer=user).order_by("pk"),
            [
                "id",
                "run_id",
                "status",
                "amount_tokens",
                "amount_minor",
                "method_kind",
                "reserve_release_at",
                "updated_at",
            ],
        ),
    }


def erase_payouts(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    used = set(PayoutItem.objects.filter(performer=ctx.user, method__isnull=False).values_list("method_id", flat=True))
    result.changed += PayoutMethod.objects.filter(performer=ctx.user).exclude(pk__in=used).delete()[0]
    result.keep("payout methods used for payouts (encrypted)", AML, len(used))
    result.keep("payout items", AML, PayoutItem.objects.filter(performer=ctx.user).count())
    result.keep("sanctions screening cases (encrypted)", AML, ScreeningCase.objects.filter(performer=ctx.user).count())
    return result


register_exporter("payouts", export_payouts)
register_eraser("payouts", erase_payouts)
