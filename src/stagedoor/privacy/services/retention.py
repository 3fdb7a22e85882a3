"""Retention: each registered data class loses what is older than its period, except held users' data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from stagedoor.core.audit import audit_record
from stagedoor.core.privacy_registry import RetentionRun, retention_classes
from stagedoor.moderation.models import Case
from stagedoor.privacy.services.common import conf, current_holds
from stagedoor.privacy.services.requests import exports_purge
from stagedoor.support.models import Ticket


@dataclass(frozen=True)
class RetentionLine:
    name: str
    period: str
    app_label: str
    action: str
    description: str
    days: int  # 0: kept (no automatic deletion)
    cutoff: datetime | None
    count: int


@dataclass(frozen=True)
class RetentionReport:
    dry_run: bool
    ran_at: datetime
    lines: list[RetentionLine]
    held_users: int
    exports_purged: int

    @property
    def total(self) -> int:
        return sum(line.count for line in self.lines)


def _held_people(*, now: datetime) -> frozenset[str]:
    """Accounts under a hold, and the people a held case or ticket is about (their data stays whole)."""
    holds = current_holds(now=now)
    case_ids = [ref for kind, ref in holds.refs if kind == "moderation.case"]
    ticket_ids = [ref for kind, ref in holds.refs if kind == "support.ticket"]
    subjects = Case.objects.filter(pk__in=case_ids, subject__isnull=False).values_list("subject_id", flat=True)
    requesters = Ticket.objects.filter(pk__in=ticket_ids, requester__isnull=False).values_list(
        "requester_id", flat=True
    )
    return holds.user_ids | {str(pk) for pk in subjects} | {str(pk) for pk in requesters}


def retention_run(*, dry_run: bool, now: datetime | None = None, actor: object = None) -> RetentionReport:
    """One pass over every data class. A dry run counts what would go and changes nothing; a real run is
    audited with its counts."""
    now = now or timezone.now()
    periods = conf().retention_days
    held = _held_people(now=now)
    lines: list[RetentionLine] = []
    for name, data_class in retention_classes().items():
        days = periods.get(data_class.period, 0)
        cutoff = now - timedelta(days=days) if days > 0 else None
        count = (
            data_class.run(RetentionRun(cutoff=cutoff, held_user_ids=held, dry_run=dry_run))
            if cutoff is not None
            else 0
        )
        lines.append(
            RetentionLine(
                name,
                data_class.period,
                data_class.app_label,
                data_class.action,
                data_class.description,
                days,
                cutoff,
                count,
            )
        )
    purged = 0 if dry_run else exports_purge(now=now)
    report = RetentionReport(dry_run=dry_run, ran_at=now, lines=lines, held_users=len(held), exports_purged=purged)
    if not dry_run:
        audit_record(
            actor=actor,
            action="privacy.retention_run",
            data={
                "counts": {line.name: line.count for line in lines},
                "held_users": len(held),
                "exports_purged": purged,
            },
        )
    return report
