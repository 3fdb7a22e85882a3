"""shows' part of data-subject requests (core.privacy_registry).

Shows and their seats are billed per minute from the ledger: they are financial records and are kept (they name
the account id only). Media sessions (SFU handles) and the performer's show settings go.
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
from stagedoor.shows.models import MediaSession, Participant, Show, ShowSettings

FINANCIAL = "financial and tax records (e.g. HGB §257, AO §147: 10 years; GDPR Art. 6(1)(c), 17(3)(b))"


def export_shows(user: Any) -> ExportData:
    return {
        "settings": rows(
            ShowSettings.objects.filter(performer=user), [f.attname for f in ShowSettings._meta.concrete_fields]
        ),
        "shows_hosted": rows(
            Show.objects.filter(performer=user).order_by("created_at"),
            ["id", "kind", "status", "title", "rate", "ticket_price", "created_at", "started_at", "ended_at"],
        ),
        "seats": rows(
            Participant.objects.filter(user=user).order_by("joined_at"),
            ["id", "show_id", "role", "status", "rate", "minutes_billed", "joined_at", "left_at", "leave_reason"],
        ),
    }


def erase_shows(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    result.changed += MediaSession.objects.filter(user=ctx.user, closed_at__isnull=False).delete()[0]
    result.changed += Show.objects.filter(performer=ctx.user).exclude(title="").update(title="")
    result.keep(
        "shows hosted and seats taken (billed minutes)",
        FINANCIAL,
        Show.objects.filter(performer=ctx.user).count() + Participant.objects.filter(user=ctx.user).count(),
    )
    return result


register_exporter("shows", export_shows)
register_eraser("shows", erase_shows)
