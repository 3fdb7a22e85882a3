"""payments' part of data-subject requests (core.privacy_registry) and of retention (postback addresses).

Purchases are financial records and are kept (no card data is ever stored: processors tokenize); the checkout
link, which can carry the buyer's details to the processor, is emptied.
"""

from __future__ import annotations

from typing import Any

from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    RetentionClass,
    RetentionRun,
    register_eraser,
    register_exporter,
    register_retention,
    rows,
)
from stagedoor.payments.models import Postback, Purchase

FINANCIAL = "financial and tax records (e.g. HGB §257, AO §147: 10 years; GDPR Art. 6(1)(c), 17(3)(b))"


def export_payments(user: Any) -> ExportData:
    return {
        "purchases": rows(
            Purchase.objects.filter(buyer=user).order_by("created_at"),
            [
                "id",
                "package_id",
                "tokens",
                "price_minor",
                "currency",
                "provider",
                "provider_ref",
                "status",
                "created_at",
                "completed_at",
                "reversed_at",
            ],
        )
    }


def erase_payments(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    purchases = Purchase.objects.filter(buyer=ctx.user)
    result.changed += purchases.exclude(checkout_url="").update(checkout_url="")
    result.keep("purchases (amount, package, processor reference)", FINANCIAL, purchases.count())
    return result


def _old_postback_addresses(run: RetentionRun) -> int:
    old = Postback.objects.filter(received_at__lt=run.cutoff).exclude(remote_ip="")
    if run.dry_run:
        return old.count()
    return old.update(remote_ip="")


register_exporter("payments", export_payments)
register_eraser("payments", erase_payments)
register_retention(
    RetentionClass(
        name="payments.postback_ip",
        period="ip_logs",
        app_label="payments",
        description="payment processors' postback source addresses",
        action="anonymise",
        run=_old_postback_addresses,
    )
)
