"""Reads of payouts: a performer's payout method and its history, their verified legal name, the sanctions lists,
the clearance queue, and `payout_blockers` — why a performer may not be paid now (the payout run asks it)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.selectors import require_perm
from stagedoor.payouts import conf, errors
from stagedoor.payouts.models import PayoutMethod, SanctionsList, SanctionsName, ScreeningCase
from stagedoor.payouts.names import name_score
from stagedoor.verification.models import PerformerStanding
from stagedoor.verification.selectors import STANDING_FIELDS, standing_from

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


def payout_blockers_many(performer_ids: list[Any]) -> dict[str, list[Blocker]]:
    """`payout_blockers` for many performers in a handful of queries (a payout run asks for thousands)."""
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
    methods = current_methods(ids)
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
