"""Sanctions screening: load a list (OFAC SDN CSV; versioned by hash, audited, all or nothing), screen performers'
names against it (fuzzy, after normalisation), open cases for the clearance queue, and record staff decisions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rapidfuzz import fuzz, process

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish
from stagedoor.payouts import conf, errors, events, selectors
from stagedoor.payouts.models import PayoutMethod, SanctionsList, SanctionsName, ScreeningCase
from stagedoor.payouts.names import name_score, normalized_name
from stagedoor.payouts.sdn import SdnMalformed, read_sdn_dir
from stagedoor.verification.models import PerformerStanding

REASON_MAX = 2000
DECISIONS = {"clear": ScreeningCase.Status.CLEARED, "confirm": ScreeningCase.Status.CONFIRMED}


@dataclass(frozen=True)
class LoadResult:
    sanctions_list: SanctionsList
    created: bool  # False: the same list (same hash) was already the current one
    screened: int  # people screened against it
    opened: int  # cases opened


def _source_label(source: Path) -> str:
    return "sample" if source.resolve() in (conf.SAMPLE_DIR, conf.SAMPLE_DIR / "sdn.csv") else str(source)


def sanctions_list_load(*, source: Path | None = None, actor: Any = None, screen: bool = True) -> LoadResult:
    """Load the list at `source` (default: the configured one, else the invented sample) and screen everyone."""
    path = source or conf.sanctions_source()
    if actor is not None and not isinstance(actor, str):
        require_perm(actor, Perm.SANCTIONS_REVIEW)
    try:
        parsed = read_sdn_dir(path)
    except SdnMalformed as exc:
        audit_record(
            actor=actor,
            action="payouts.sanctions_list_refused",
            target_type="payouts.sanctionslist",
            data={"source": _source_label(path), "problems": exc.problems[:50], "count": len(exc.problems)},
        )
        raise errors.SanctionsListMalformed(
            f"The sanctions list has {len(exc.problems)} malformed row(s); nothing was loaded.",
            extra={"problems": exc.problems},
        ) from None
    current = selectors.current_sanctions_list()
    if current is not None and current.sha256 == parsed.sha256:
        return LoadResult(current, created=False, screened=0, opened=0)
    with transaction.atomic():
        loaded = SanctionsList.objects.create(
            source=_source_label(path)[:300],
            sha256=parsed.sha256,
            entries=parsed.entries,
            names=len(parsed.names),
            loaded_by_label=(actor if isinstance(actor, str) else getattr(actor, "login", "")) or "system",
        )
        SanctionsName.objects.bulk_create(
            [
                SanctionsName(
                    sanctions_list=loaded,
                    ent_num=n.ent_num,
                    alt_num=n.alt_num,
                    name=n.name[:350],
                    normalized=normalized_name(n.name)[:350],
                    sdn_type=n.sdn_type[:20],
                    program=n.program[:200],
                    remarks=n.remarks,
                )
                for n in parsed.names
            ],
            batch_size=2000,
        )
        audit_record(
            actor=actor,
            action="payouts.sanctions_list_loaded",
            target=loaded,
            data={"source": loaded.source, "sha256": loaded.sha256, "entries": loaded.entries, "names": loaded.names},
        )
        outbox_publish(
            topic=events.SANCTIONS_LIST_LOADED,
            payload={"list_id": loaded.pk, "entries": loaded.entries, "names": loaded.names},
        )
    screened, opened = sanctions_screen_everyone(loaded) if screen else (0, 0)
    return LoadResult(loaded, created=True, screened=screened, opened=opened)


def sanctions_ensure_list() -> SanctionsList:
    """The current list; with none loaded yet, the configured one (or the sample) is loaded first, unscreened."""
    current = selectors.current_sanctions_list()
    if current is not None:
        return current
    return sanctions_list_load(actor="system", screen=False).sanctions_list


# --- matching ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Matcher:
    normalized: list[str]
    rows: list[SanctionsName]


_MATCHERS: dict[str, _Matcher] = {}


def _matcher(sanctions_list: SanctionsList) -> _Matcher:
    found = _MATCHERS.get(sanctions_list.pk)
    if found is None:
        rows = selectors.listed_names(sanctions_list)
        found = _Matcher([r.normalized for r in rows], rows)
        _MATCHERS.clear()  # one list is current; keep only its names in memory
        _MATCHERS[sanctions_list.pk] = found
    return found


def matches(name: str, sanctions_list: SanctionsList, *, threshold: int) -> list[tuple[SanctionsName, int]]:
    """Listed names scoring at or above `threshold` against `name`, best per listed entry, highest first."""
    query = normalized_name(name)
    if not query:
        return []
    matcher = _matcher(sanctions_list)
    # two fast C passes pick candidates; the exact score (names.name_score) decides
    candidates: set[int] = set()
    for scorer in (fuzz.token_sort_ratio, fuzz.WRatio):
        for _choice, _score, index in process.extract(
            query, matcher.normalized, scorer=scorer, score_cutoff=threshold, limit=None
        ):
            candidates.add(int(index))
    best: dict[int, tuple[SanctionsName, int]] = {}
    for index in candidates:
        row = matcher.rows[index]
        score = name_score(query, row.normalized, normalized=True)
        if score >= threshold and (row.ent_num not in best or score > best[row.ent_num][1]):
            best[row.ent_num] = (row, score)
    return sorted(best.values(), key=lambda pair: -pair[1])


def _name_key(normalized: str) -> str:
    return salted_hmac("stagedoor.payouts.screening", normalized, algorithm="sha256").hexdigest()


def _names_of(performer: Any) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    legal = selectors.verified_legal_name(performer)
    if legal:
        names.append((ScreeningCase.Subject.LEGAL_NAME, legal))
    method = selectors.current_payout_method(performer)
    if method is not None and normalized_name(method.holder_name) != normalized_name(legal):
        names.append((ScreeningCase.Subject.HOLDER_NAME, method.holder_name))
    return names


def performer_screen(performer: Any, *, sanctions_list: SanctionsList | None = None) -> list[ScreeningCase]:
    """Screen the performer's verified legal name and payout holder name; open a case per new match."""
    listing = sanctions_list or sanctions_ensure_list()
    threshold = conf.sanctions_threshold()
    opened: list[ScreeningCase] = []
    for subject, name in _names_of(performer):
        key = _name_key(normalized_name(name))
        for row, score in matches(name, listing, threshold=threshold):
            with transaction.atomic():
                if ScreeningCase.objects.filter(performer_id=performer.pk, ent_num=row.ent_num, name_key=key).exists():
                    continue  # already screened (and perhaps cleared) for this name and this listed entry
                case = ScreeningCase.objects.create(
                    performer_id=performer.pk,
                    subject=subject,
                    screened_name=name,
                    name_key=key,
                    sanctions_list=listing,
                    ent_num=row.ent_num,
                    matched_name=row.name,
                    program=row.program,
                    score=score,
                )
                audit_record(
                    actor="screening",
                    action="payouts.screening_opened",
                    target=case,
                    data={"performer": str(performer.pk), "ent_num": row.ent_num, "score": score, "subject": subject},
                )
                outbox_publish(
                    topic=events.SCREENING_CASE_CHANGED,
                    payload={"case_id": case.pk, "performer_id": str(performer.pk), "status": "open", "score": score},
                )
            opened.append(case)
    return opened


def _payees() -> Iterable[User]:
    with_identity = PerformerStanding.objects.values("user_id")
    with_method = PayoutMethod.objects.filter(superseded_at__isnull=True).values("performer_id")
    return User.objects.filter(Q(pk__in=with_identity) | Q(pk__in=with_method)).order_by("pk").iterator()


def sanctions_screen_everyone(sanctions_list: SanctionsList) -> tuple[int, int]:
    """Screen every performer with an identity or payout method on record: (people screened, cases opened)."""
    screened = opened = 0
    for performer in _payees():
        opened += len(performer_screen(performer, sanctions_list=sanctions_list))
        screened += 1
    return screened, opened


# --- decisions ----------------------------------------------------------------------------------------------


def screening_case_decide(*, actor: User, case_id: str, decision: str, reason: str, ip: str = "") -> ScreeningCase:
    """Clear a case as a false positive or confirm the match (the performer is then never paid); reason required."""
    require_perm(actor, Perm.SANCTIONS_REVIEW)
    status = DECISIONS.get(decision)
    if status is None:
        raise errors.PayoutDetailsInvalid(extra={"fields": {"decision": ["Choose clear or confirm."]}})
    text = (reason or "").strip()
    if not text:
        raise errors.ReasonRequired(extra={"fields": {"reason": [errors.ReasonRequired.default_message]}})
    if len(text) > REASON_MAX:
        raise errors.ReasonRequired(
            f"The reason has at most {REASON_MAX} characters.",
            extra={"fields": {"reason": [f"The reason has at most {REASON_MAX} characters."]}},
        )
    with transaction.atomic():
        case = ScreeningCase.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise errors.ScreeningCaseNotFound()
        if case.status != ScreeningCase.Status.OPEN:
            raise errors.ScreeningCaseDecided()
        case.status = status
        case.reason = text
        case.decided_by = actor
        case.decided_by_label = actor.login
        case.decided_at = timezone.now()
        case.save(update_fields=["status", "reason", "decided_by", "decided_by_label", "decided_at"])
        audit_record(
            actor=actor,
            action=f"payouts.screening_{'cleared' if status == ScreeningCase.Status.CLEARED else 'confirmed'}",
            target=case,
            ip=ip,
            data={"performer": str(case.performer_id), "ent_num": case.ent_num, "score": case.score, "reason": text},
        )
        outbox_publish(
            topic=events.SCREENING_CASE_CHANGED,
            payload={"case_id": case.pk, "performer_id": str(case.performer_id), "status": status, "score": case.score},
        )
        # The payee gate's cache: this process sees the decision at once (others within a second).
        transaction.on_commit(selectors.confirmed_matches_forget)
    selectors.confirmed_matches_forget()
    return case
