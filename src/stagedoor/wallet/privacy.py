"""wallet's part of data-subject requests (core.privacy_registry).

The ledger is append-only double entry and is never edited: entries refer to the account id, which stays (the
account row becomes a tombstone in `accounts`), so `stagedoor ledger verify` still balances after an erasure.
Tips are financial records and are kept as they are; the tip menu and goals of a performer go.
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
from stagedoor.wallet.models import LedgerAccount, LedgerEntry, Tip, TipGoal, TipMenuItem

FINANCIAL = "financial and tax records (e.g. HGB §257, AO §147: 10 years; GDPR Art. 6(1)(c), 17(3)(b))"


def export_wallet(user: Any) -> ExportData:
    accounts = LedgerAccount.objects.filter(owner=user)
    return {
        "ledger_accounts": rows(accounts.order_by("created_at"), ["id", "kind", "balance", "created_at"]),
        "ledger_entries": rows(
            LedgerEntry.objects.filter(account__in=accounts).select_related("transfer").order_by("pk"),
            [f.attname for f in LedgerEntry._meta.concrete_fields],
        ),
        "tips_sent": rows(
            Tip.objects.filter(sender=user).order_by("created_at"),
            ["id", "performer_id", "amount", "message", "anonymous", "menu_label", "room_id", "created_at"],
        ),
        "tips_received": rows(
            Tip.objects.filter(performer=user).order_by("created_at"),
            ["id", "amount", "performer_amount", "menu_label", "room_id", "created_at"],
        ),
        "tip_menu": rows(TipMenuItem.objects.filter(performer=user), ["id", "label", "price", "active", "created_at"]),
        "tip_goals": rows(TipGoal.objects.filter(performer=user), ["id", "title", "target", "status", "created_at"]),
    }


def erase_wallet(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    result.changed += TipMenuItem.objects.filter(performer=ctx.user).delete()[0]
    result.changed += TipGoal.objects.filter(performer=ctx.user).exclude(title="").update(title="")
    accounts = LedgerAccount.objects.filter(owner=ctx.user)
    result.keep(
        "ledger accounts and their entries (by account id)",
        FINANCIAL,
        LedgerEntry.objects.filter(account__in=accounts).count(),
    )
    result.keep(
        "tips sent and received, with their messages",
        FINANCIAL,
        Tip.objects.filter(sender=ctx.user).count() + Tip.objects.filter(performer=ctx.user).count(),
    )
    return result


register_exporter("wallet", export_wallet)
register_eraser("wallet", erase_wallet)
