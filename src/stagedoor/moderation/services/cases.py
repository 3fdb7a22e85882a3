"""Cases in the review queue: open (idempotent by dedupe key), claim, release, reassign, take the next one."""

from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish
from stagedoor.moderation import policies as P
from stagedoor.moderation import selectors
from stagedoor.moderation.errors import (
    AppealSameModerator,
    CaseClosed,
    CaseEscalated,
    CaseHeld,
    CaseNotFound,
    EvidenceInvalid,
    ExposureCapReached,
    ModeratorNotFound,
    NotYourClaim,
)
from stagedoor.moderation.events import MODERATION_CASE_OPENED, ModerationCaseOpened
from stagedoor.moderation.models import Case
from stagedoor.moderation.selectors.evidence import ITEM_RE, RELATIVE_RE
from stagedoor.moderation.services.shifts import shift_current

EVIDENCE_MAX_BYTES = 64 * 1024
#: evidence lists that grow when a flag or report joins an open case (each kept to its last 20 items)
JOINING_LISTS = ("reports", "frames", "flags", "hash_matches", "detections")
JOIN_KEEP = 20


def _invalid(message: str) -> EvidenceInvalid:
    return EvidenceInvalid(message, extra={"fields": {"evidence": [message]}})


def evidence_clean(evidence: Any) -> dict[str, Any]:
    """Check the evidence's shape: a JSON object of at most 64 KiB; a `message` names its id; `frames`,
    `reports`, `flags`, `hash_matches` and `context` are lists of objects. Raises EvidenceInvalid."""
    if evidence is None:
        return {}
    if not isinstance(evidence, dict):
        raise _invalid("Evidence must be a JSON object.")
    try:
        encoded = json.dumps(evidence, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise _invalid(f"Evidence must be plain JSON ({exc}).") from None
    if len(encoded.encode()) > EVIDENCE_MAX_BYTES:
        raise _invalid(f"Evidence is larger than {EVIDENCE_MAX_BYTES // 1024} KiB.")
    if any(not isinstance(k, str) or not 0 < len(k) <= 40 for k in evidence):
        raise _invalid("Evidence keys are names of 1–40 characters.")
    message = evidence.get("message")
    if message is not None and not (isinstance(message, dict) and isinstance(message.get("id"), str)):
        raise _invalid("`message` must be an object with the message's `id`.")
    for key in (*JOINING_LISTS, "context"):
        value = evidence.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            raise _invalid(f"`{key}` must be a list of objects.")
    for frame in evidence.get("frames", []):
        if not ITEM_RE.fullmatch(str(frame.get("item", ""))) or not RELATIVE_RE.fullmatch(str(frame.get("path", ""))):
            raise _invalid("Each frame needs an `item` id and a stored `path` (day/item.jpg).")
    loaded: dict[str, Any] = json.loads(encoded)
    return loaded


def _join(case: Case, evidence: dict[str, Any], severity: str) -> None:
    merged = dict(case.evidence)
    for key in JOINING_LISTS:
        if key in evidence:
            merged[key] = [*merged.get(key, []), *evidence[key]][-JOIN_KEEP:]
    for key, value in evidence.items():
        merged.setdefault(key, value)
    case.evidence = merged
    case.hits += 1
    worst = P.worse(case.severity, severity)
    if worst != case.severity:
        case.severity = worst
        case.severity_rank = P.SEVERITY_RANK[worst]
        case.due_at = min(case.due_at, case.created_at + P.sla_for(worst))
    case.save(update_fields=["evidence", "hits", "severity", "severity_rank", "due_at"])


def case_open(
    *,
    source: str,
    category: str,
    subject: Any = None,
    room: Any = None,
    message: Any = None,
    evidence: Any = None,
    dedupe_key: str = "",
    severity: str | None = None,
    actor: Any = None,
) -> tuple[Case, bool]:
    """Open a case, or join the open case with the same dedupe key (its evidence lists grow, its severity
    rises to the worse of the two). Returns (case, created). Severity defaults to the category's
    (`minor_risk` and known prohibited content are critical)."""
    if source not in Case.Source.values:
        raise _invalid(f"Unknown source {source!r}.")
    if category not in P.CATEGORIES:
        raise _invalid(f"Unknown category {category!r}.")
    severity = severity or P.category_of(category).severity
    if severity not in P.SEVERITIES:
        raise _invalid(f"Unknown severity {severity!r}.")
    clean = evidence_clean(evidence)
    dedupe_key = dedupe_key[:200]
    now = timezone.now()
    with transaction.atomic():
        if dedupe_key:
            existing = Case.objects.select_for_update().filter(dedupe_key=dedupe_key).exclude(status="decided").first()
            if existing is not None:
                _join(existing, clean, severity)
                return existing, False
        fields = dict(
            source=source,
            category=category,
            severity=severity,
            severity_rank=P.SEVERITY_RANK[severity],
            graphic=P.is_graphic(category),
            subject=subject,
            room=room,
            message=message,
            evidence=clean,
            dedupe_key=dedupe_key,
            created_at=now,
            due_at=now + P.sla_for(severity),
        )
        try:
            with transaction.atomic():
                case = Case.objects.create(**fields)
        except IntegrityError:  # a concurrent open took the key first: join its case
            existing = Case.objects.select_for_update().filter(dedupe_key=dedupe_key).exclude(status="decided").first()
            if existing is None:
                raise
            _join(existing, clean, severity)
            return existing, False
        if actor is not None:
            audit_record(actor=actor, action="moderation.case_opened", target=case, data={"source": source})
        payload = ModerationCaseOpened(case_id=case.pk, source=source, category=category, severity=severity)
        outbox_publish(topic=MODERATION_CASE_OPENED, payload=payload)
    return case, True


def _locked(case_id: str) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise CaseNotFound()
    return case


def check_may_handle(actor: User, case: Case) -> None:
    """Who may claim or decide a case at all (whoever holds it aside)."""
    if case.status == Case.Status.DECIDED:
        raise CaseClosed()
    if case.status == Case.Status.ESCALATED and not role_has(actor.role, Perm.MODERATION_SUPERVISE):
        raise CaseEscalated()
    if case.source == Case.Source.APPEAL and selectors.original_decider_id(case) == str(actor.pk):
        raise AppealSameModerator()
    if case.subject_id is not None and case.subject_id == actor.pk:
        raise CaseHeld("A case about your own account goes to another moderator.")


def _held_by_other(case: Case) -> CaseHeld:
    holder = case.claimed_by.login if case.claimed_by else "another moderator"
    since = timezone.localtime(case.claimed_at).strftime("%H:%M") if case.claimed_at else "?"
    return CaseHeld(f"{holder} holds this case (since {since}); nothing was changed.", extra={"holder": holder})


def case_claim(*, actor: User, case_id: str, ip: str = "") -> Case:
    """Take a case: nobody else may decide it until it is released. Claiming a case you hold changes nothing."""
    require_perm(actor, Perm.MODERATION_REVIEW)
    with transaction.atomic():
        case = _locked(case_id)
        check_may_handle(actor, case)
        if case.claimed_by_id == actor.pk:
            return case
        if case.claimed_by_id is not None:
            raise _held_by_other(case)
        if case.graphic and selectors.exposure_cap_reached(actor):
            raise ExposureCapReached()
        shift_current(moderator=actor)
        case.claimed_by = actor
        case.claimed_at = timezone.now()
        if case.status == Case.Status.OPEN:
            case.status = Case.Status.CLAIMED
        case.save(update_fields=["claimed_by", "claimed_at", "status"])
        audit_record(actor=actor, action="moderation.case_claimed", target=case, ip=ip)
    return case


def _unclaim(case: Case) -> None:
    case.claimed_by = None
    case.claimed_at = None
    if case.status == Case.Status.CLAIMED:
        case.status = Case.Status.OPEN
    case.save(update_fields=["claimed_by", "claimed_at", "status"])


def case_release(*, actor: User, case_id: str, ip: str = "") -> Case:
    """Put a claimed case back in the queue (its holder, or a supervisor)."""
    require_perm(actor, Perm.MODERATION_REVIEW)
    with transaction.atomic():
        case = _locked(case_id)
        if case.status == Case.Status.DECIDED:
            raise CaseClosed()
        if case.claimed_by_id is None:
            return case
        if case.claimed_by_id != actor.pk and not role_has(actor.role, Perm.MODERATION_SUPERVISE):
            raise NotYourClaim()
        holder = str(case.claimed_by_id)
        _unclaim(case)
        audit_record(actor=actor, action="moderation.case_released", target=case, ip=ip, data={"holder": holder})
    return case


def case_reassign(*, actor: User, case_id: str, moderator_id: str, ip: str = "") -> Case:
    """A supervisor hands a case to a moderator (rebalancing). The exposure cap does not stop a supervisor, but
    the original decider never gets an appeal and nobody gets a case about themselves."""
    require_perm(actor, Perm.MODERATION_SUPERVISE)
    target = User.objects.filter(pk=moderator_id, is_active=True).first()
    if target is None or not role_has(target.role, Perm.MODERATION_REVIEW):
        raise ModeratorNotFound()
    with transaction.atomic():
        case = _locked(case_id)
        if case.status == Case.Status.DECIDED:
            raise CaseClosed()
        if case.source == Case.Source.APPEAL and selectors.original_decider_id(case) == str(target.pk):
            raise AppealSameModerator()
        if case.subject_id is not None and case.subject_id == target.pk:
            raise CaseHeld("A case about a moderator's own account goes to someone else.")
        before = str(case.claimed_by_id) if case.claimed_by_id else None
        case.claimed_by = target
        case.claimed_at = timezone.now()
        if case.status == Case.Status.OPEN:
            case.status = Case.Status.CLAIMED
        case.save(update_fields=["claimed_by", "claimed_at", "status"])
        audit_record(
            actor=actor,
            action="moderation.case_reassigned",
            target=case,
            ip=ip,
            data={"from": before, "to": str(target.pk)},
        )
    return case


def cases_release_all_of(*, actor: User, moderator_id: str, ip: str = "") -> int:
    """A supervisor puts every case a moderator holds back in the queue. Returns how many."""
    require_perm(actor, Perm.MODERATION_SUPERVISE)
    with transaction.atomic():
        held = list(Case.objects.select_for_update().filter(claimed_by_id=moderator_id).exclude(status="decided"))
        for case in held:
            _unclaim(case)
        if held:
            audit_record(
                actor=actor,
                action="moderation.cases_released",
                target_type="accounts.user",
                target_id=moderator_id,
                ip=ip,
                data={"cases": [c.pk for c in held]},
            )
    return len(held)


def case_take_next(*, actor: User, ip: str = "") -> Case | None:
    """Claim the next case this moderator may take (see `selectors.case_next_for`), or None when there is none."""
    require_perm(actor, Perm.MODERATION_REVIEW)
    for _attempt in range(5):
        case = selectors.case_next_for(actor)
        if case is None:
            return None
        try:
            return case_claim(actor=actor, case_id=case.pk, ip=ip)
        except (CaseHeld, CaseClosed):  # someone took it a moment ago: the next one
            continue
    return None
