"""Reads of payouts: a performer's payout method and its history, their verified legal name, the sanctions lists,
the clearance queue, and `payout_blockers` — why a performer may not be paid now (the payout run asks it)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.payouts import conf, errors
from stagedoor.payouts.models import (
    PayoutFile,
    PayoutItem,
    PayoutMethod,
    PayoutRun,
    SanctionsList,
    SanctionsName,
    ScreeningCase,
)
from stagedoor.payouts.names import name_score
from stagedoor.verification.models import PerformerStanding
from stagedoor.verification.selectors import STANDING_FIELDS, standing_from
from stagedoor.wallet import conf as wallet_conf
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet.models import AccountKind, TransferKind

# --- payout methods ------------------------------------------------------------------------------------------


def current_payout_method(performer: Any) -> PayoutMethod | None:
    """The version in force now (a payout run locks this one at its start)."""
    return PayoutMethod.objects.filter(performer_id=performer.pk, superseded_at__isnull=True).first()


def payout_method_history(performer: Any, *, limit: int = 20) -> list[PayoutMethod]:
    """Every version, newest first."""
    return list(PayoutMethod.objects.filter(performer_id=performer.pk).order_by("-version")[:limit])


def verified_legal_name(performer: Any) -> str:
    """The legal name on the performer's verified identity (the vendor's reading of the document, else the name
    reviewed by staff), or "" with no identity on record."""
    standing = PerformerStanding.objects.select_related("verification").filter(user_id=performer.pk).first()
    record = standing.verification if standing is not None else None
    if record is None:
        return ""
    return record.vendor_legal_name or record.legal_name


# --- sanctions ---------------------------------------------------------------------------------------------


def current_sanctions_list() -> SanctionsList | None:
    return SanctionsList.objects.order_by("-loaded_at", "-id").first()


def sanctions_lists(*, limit: int = 20) -> list[SanctionsList]:
    return list(SanctionsList.objects.order_by("-loaded_at", "-id")[:limit])


def listed_names(sanctions_list: SanctionsList) -> list[SanctionsName]:
    return list(SanctionsName.objects.filter(sanctions_list=sanctions_list).order_by("ent_num", "alt_num"))


def screening_queue(*, status: str = ScreeningCase.Status.OPEN, limit: int = 100) -> QuerySet[ScreeningCase]:
    """The clearance queue: highest score first, then newest."""
    qs = ScreeningCase.objects.select_related("performer", "sanctions_list", "decided_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-score", "-created_at", "-id")[:limit]


def open_case_count() -> int:
    return ScreeningCase.objects.filter(status=ScreeningCase.Status.OPEN).count()


def cases_of(performer: Any) -> list[ScreeningCase]:
    return list(
        ScreeningCase.objects.filter(performer_id=performer.pk)
        .select_related("performer", "decided_by")
        .order_by("-created_at")
    )


def access_screening_case(actor: User | None, case_id: str, *, perm: str) -> ScreeningCase:
    require_perm(actor, perm)
    case = ScreeningCase.objects.select_related("performer", "sanctions_list").filter(pk=case_id).first()
    if case is None:
        raise errors.ScreeningCaseNotFound()
    return case


# The PAYEE gate asks on every credit (every tip): the confirmed matches — a handful, ever — are read once and kept
# in process, re-read at most once a second (`RECHECK_SECONDS`), and at once in the process that decides a case
# (`confirmed_matches_forget`). A confirmation reaches every other process within that second.
RECHECK_SECONDS = 1.0
_confirmed: tuple[float, frozenset[str]] | None = None
_confirmed_lock = threading.Lock()


def confirmed_matches_forget() -> None:
    global _confirmed
    with _confirmed_lock:
        _confirmed = None


def confirmed_matches() -> frozenset[str]:
    """Ids of the performers whose sanctions match staff confirmed."""
    global _confirmed
    recheck = float(getattr(settings, "STAGEDOOR_PAYOUTS_SANCTIONS_RECHECK_SECONDS", RECHECK_SECONDS))
    now = time.monotonic()
    cached = _confirmed
    if cached is not None and now - cached[0] < recheck:
        return cached[1]
    ids = frozenset(
        str(pk)
        for pk in ScreeningCase.objects.filter(status=ScreeningCase.Status.CONFIRMED)
        .values_list("performer_id", flat=True)
        .distinct()
    )
    with _confirmed_lock:
        _confirmed = (now, ids)
    return ids


def has_confirmed_match(performer_id: Any) -> bool:
    """Whether staff confirmed a sanctions match of this performer (no query on most calls: see above)."""
    return str(performer_id) in confirmed_matches()


# --- blockers --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    code: str
    message: str


def holder_name_score(method: PayoutMethod, legal_name: str) -> int:
    return name_score(method.holder_name, legal_name)


def payout_blockers(performer: Any) -> list[Blocker]:
    """Every reason `performer` may not be paid now, in the order they should be put right; empty: payable."""
    return payout_blockers_many([performer.pk])[str(performer.pk)]


def current_methods(performer_ids: list[Any]) -> dict[str, PayoutMethod]:
    """performer id → the payout method version in force now (a run locks these)."""
    found = PayoutMethod.objects.filter(performer_id__in=performer_ids, superseded_at__isnull=True)
    return {str(m.performer_id): m for m in found}


def payout_blockers_many(
    performer_ids: list[Any], *, methods: dict[str, PayoutMethod] | None = None
) -> dict[str, list[Blocker]]:
    """`payout_blockers` for many performers in a handful of queries (a payout run asks for thousands; it passes
    the current `methods` it has already read, so the details are decrypted once)."""
    now = timezone.now()
    ids = [str(pk) for pk in performer_ids]
    standings = {
        str(row["user_id"]): row
        for row in PerformerStanding.objects.filter(user_id__in=ids).values("user_id", *STANDING_FIELDS)
    }
    legal = {
        str(uid): (vendor or name)
        for uid, vendor, name in PerformerStanding.objects.filter(user_id__in=ids, verification__isnull=False)
        .select_related("verification")
        .values_list("user_id", "verification__vendor_legal_name", "verification__legal_name")
    }
    methods = methods if methods is not None else current_methods(ids)
    cases: dict[str, set[str]] = {}
    for uid, status in ScreeningCase.objects.filter(
        performer_id__in=ids, status__in=[ScreeningCase.Status.OPEN, ScreeningCase.Status.CONFIRMED]
    ).values_list("performer_id", "status"):
        cases.setdefault(str(uid), set()).add(status)
    result: dict[str, list[Blocker]] = {}
    for pid in ids:
        blockers: list[Blocker] = []
        if not standing_from(standings.get(pid), now=now).allows_work:
            blockers.append(Blocker("payouts.identity_unverified", "No verified identity: the performer must verify."))
        method = methods.get(pid)
        if method is None:
            blockers.append(Blocker("payouts.no_payout_method", "No payout method: the performer has not set one."))
        else:
            legal_name = legal.get(pid, "")
            if legal_name and holder_name_score(method, legal_name) < conf.HOLDER_NAME_MIN_SCORE:
                blockers.append(
                    Blocker(
                        "payouts.holder_name_mismatch",
                        "The payout account holder does not match the verified legal name.",
                    )
                )
        statuses = cases.get(pid, set())
        if ScreeningCase.Status.CONFIRMED in statuses:
            blockers.append(Blocker("payouts.sanctions_confirmed", "A sanctions match was confirmed: never pay."))
        elif ScreeningCase.Status.OPEN in statuses:
            blockers.append(Blocker("payouts.sanctions_open", "A possible sanctions match waits for clearance."))
        result[pid] = blockers
    return result


# --- payout runs -----------------------------------------------------------------------------------------------

ITEM_ORDER = {"review": 0, "blocked": 1, "failed": 2, "returned": 3, "pending": 4, "sent": 5}


def runs_recent(*, limit: int = 30) -> list[PayoutRun]:
    return list(PayoutRun.objects.order_by("-period_end")[:limit])


def access_run(actor: User | None, run_id: str) -> PayoutRun:
    require_perm(actor, Perm.PAYOUTS_MANAGE)
    run = PayoutRun.objects.filter(pk=run_id).first()
    if run is None:
        raise errors.PayoutRunNotFound()
    return run


def run_items(run: PayoutRun, *, status: str = "", limit: int = 500) -> list[PayoutItem]:
    """A run's lines, the ones needing a person first (held for review, blocked, failed), then the largest."""
    qs = PayoutItem.objects.filter(run=run).select_related("performer", "method")
    if status:
        qs = qs.filter(status=status)
    items = list(qs.order_by("-amount_tokens", "-matured_tokens", "pk")[: max(1, min(limit, 5000))])
    return sorted(items, key=lambda i: ITEM_ORDER.get(i.status, 9))


def run_counts(run: PayoutRun) -> dict[str, int]:
    rows = PayoutItem.objects.filter(run=run).values_list("status").annotate(n=Count("pk")).order_by()
    return {str(status): int(n) for status, n in rows}


def run_approvers(run: PayoutRun) -> list[str]:
    return list(run.approvals.order_by("created_at").values_list("approver_label", flat=True))


def run_file(actor: User | None, run_id: str, file_id: str) -> PayoutFile:
    run = access_run(actor, run_id)
    found = PayoutFile.objects.filter(run=run, pk=file_id).first()
    if found is None:
        raise errors.PayoutRunNotFound()
    return found


def payouts_of(performer: Any, *, limit: int = 50) -> list[PayoutItem]:
    """A performer's payout lines, newest period first (blocked and below-minimum ones too: they say why)."""
    return list(
        PayoutItem.objects.filter(performer_id=performer.pk)
        .select_related("run", "method")
        .order_by("-run__period_end")[:limit]
    )


@dataclass(frozen=True)
class Statement:
    """A performer's statement for [start, end): earned → matured → reserved → paid, every line a ledger entry."""

    start: datetime
    end: datetime
    opening: int
    closing: int
    earned: int
    reversed: int
    moved_to_payout: int
    reserved: int
    reserve_released: int
    recredited: int
    reserve_balance: int
    held_at_end: int
    matured_at_end: int
    payouts: list[PayoutItem]
    lines: list[Any]


def statement_of(performer: Any, *, start: datetime, end: datetime) -> Statement:
    lines = wallet_selectors.statement_lines(performer.pk, start=start, end=end)
    earnings = [line for line in lines if line.account == AccountKind.PERFORMER_EARNINGS]
    reserve = [line for line in lines if line.account == AccountKind.PERFORMER_RESERVE]

    def total(rows: list[Any], kinds: frozenset[str] | set[str]) -> int:
        return sum(r.amount for r in rows if r.kind in kinds)

    position = wallet_selectors.earnings_positions(
        as_of=min(end, timezone.now()),
        hold_days=conf.hold_days_by_product(),
        default_hold=wallet_conf.hold_days(),
        performer_ids=[performer.pk],
    ).get(str(performer.pk))
    return Statement(
        start=start,
        end=end,
        opening=wallet_selectors.balance_before(performer.pk, AccountKind.PERFORMER_EARNINGS, start),
        closing=wallet_selectors.balance_before(performer.pk, AccountKind.PERFORMER_EARNINGS, end),
        earned=total(earnings, wallet_selectors.EARNING_KINDS),
        reversed=total(earnings, wallet_selectors.REVERSAL_KINDS),
        moved_to_payout=-total(earnings, {TransferKind.PAYOUT}),
        reserved=total(reserve, {TransferKind.PAYOUT}),
        reserve_released=-total(reserve, {TransferKind.RESERVE_RELEASE}),
        recredited=total(
            earnings, {TransferKind.PAYOUT_FAILED, TransferKind.PAYOUT_RETURNED, TransferKind.PAYOUT_CANCELLED}
        ),
        reserve_balance=wallet_selectors.balance_before(performer.pk, AccountKind.PERFORMER_RESERVE, end),
        held_at_end=position.held if position is not None else 0,
        matured_at_end=position.matured if position is not None else 0,
        payouts=list(
            PayoutItem.objects.filter(
                performer_id=performer.pk, run__period_end__gte=start, run__period_end__lt=end
            ).select_related("run", "method")
        ),
        lines=lines,
    )
