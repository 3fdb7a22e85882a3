"""Deciding cases: one decision (policy code + action), bulk decisions for spam waves, and the automated decision
recorded when the frame scanner ends a stream on a prohibited-list match or the chat classifier blocks a line.

Every decision is a record (who, which policy, which action, the evidence seen, automated or not); a restrictive
one writes the statement of reasons for the affected person; every staff decision is audited and announced on
the outbox (`moderation.decided`). A refused decision (unknown policy, action the policy does not allow, a case
someone else holds…) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ApplicationError, ValidationFailed
from stagedoor.core.outbox import outbox_publish
from stagedoor.moderation import policies as P
from stagedoor.moderation.errors import ActionNotAllowed, CaseNotFound, UnknownPolicy
from stagedoor.moderation.events import MODERATION_DECIDED, ModerationDecided
from stagedoor.moderation.models import Case, Decision, Report
from stagedoor.moderation.services.cases import _held_by_other, check_may_handle
from stagedoor.moderation.services.enforcement import Enforcement, check_applicable, enforce, sanctions_write
from stagedoor.moderation.services.statements import statement_write

NOTE_MAX = 2000
BULK_MAX = 200


def policy_check(policy_code: str, action: str) -> P.Policy:
    """The policy, if it exists and allows the action; else UnknownPolicy / ActionNotAllowed."""
    policy = P.POLICIES.get(policy_code)
    if policy is None:
        raise UnknownPolicy(
            f"There is no policy {policy_code[:20]!r}.", extra={"fields": {"policy_code": ["Unknown policy code."]}}
        )
    if action not in policy.actions:
        allowed = ", ".join(policy.actions)
        raise ActionNotAllowed(
            f"{policy.code} ({policy.title}) allows: {allowed}.", extra={"fields": {"action": [f"Allowed: {allowed}."]}}
        )
    return policy


def _note_and_seconds(note: str, action: str, timeout_seconds: int | None) -> tuple[str, int | None]:
    note = (note or "").strip()
    if len(note) > NOTE_MAX or "\x00" in note:
        raise ValidationFailed.of_field("note", f"Write at most {NOTE_MAX} characters.")
    if action != P.TIMEOUT:
        return note, None
    seconds = P.TIMEOUT_DEFAULT_SECONDS if timeout_seconds is None else timeout_seconds
    if not 60 <= seconds <= P.TIMEOUT_MAX_SECONDS:
        raise ValidationFailed.of_field("timeout_seconds", "Time-outs last from 1 minute to 24 hours.")
    return note, seconds


def _announce(decision: Decision, case: Case) -> None:
    payload = ModerationDecided(
        decision_id=decision.pk,
        case_id=case.pk,
        action=decision.action,
        policy_code=decision.policy_code,
        automated=decision.automated,
        subject_id=str(decision.subject_id) if decision.subject_id else None,
        room=case.room.slug if case.room is not None else None,
    )
    outbox_publish(topic=MODERATION_DECIDED, payload=payload)


def _reports_resolve(case: Case, action: str, policy: P.Policy) -> None:
    if action == P.ESCALATE:
        return
    restrictive = action in P.RESTRICTIVE
    outcome = (
        f"Action taken: {P.ACTION_TITLES[action].lower()} under our policy '{policy.title}'."
        if restrictive
        else "We reviewed it and took no action: it does not break our rules."
    )
    Report.objects.filter(case=case, status=Report.Status.OPEN).update(
        status=Report.Status.ACTIONED if restrictive else Report.Status.DISMISSED,
        outcome=outcome,
        resolved_at=timezone.now(),
    )


def _decide_locked(
    *, actor: User, case: Case, policy: P.Policy, action: str, note: str, seconds: int | None, ip: str
) -> Decision:
    """Decide a case already locked and checked (inside the caller's transaction)."""
    check_may_handle(actor, case)
    if case.claimed_by_id is not None and case.claimed_by_id != actor.pk:
        raise _held_by_other(case)
    if case.source == Case.Source.APPEAL:
        raise ValidationFailed("Appeals are decided on the appeals page: uphold or reject.")
    if action == P.ESCALATE:
        done = Enforcement()
    else:
        check_applicable(case, action)
        done = enforce(actor=actor, case=case, action=action, seconds=seconds, reason=policy.title, ip=ip)
    decision = Decision.objects.create(
        case=case,
        moderator=actor,
        automated=False,
        policy_code=policy.code,
        action=action,
        duration_seconds=seconds,
        note=note,
        subject=case.subject,
        room=case.room,
        evidence={"case": case.evidence, "enforcement": done.result},
    )
    sanctions_write(decision, done)
    statement_write(decision=decision, case=case, policy=policy, end_date=done.end_date)
    now = timezone.now()
    if action == P.ESCALATE:
        case.status, case.claimed_by, case.claimed_at = Case.Status.ESCALATED, None, None
    else:
        case.status, case.decided_at = Case.Status.DECIDED, now
    case.save(update_fields=["status", "claimed_by", "claimed_at", "decided_at"])
    _reports_resolve(case, action, policy)
    audit_record(
        actor=actor,
        action="moderation.decided",
        target=case,
        ip=ip,
        data={
            "decision": decision.pk,
            "policy": policy.code,
            "action": action,
            "seconds": seconds,
            "subject": str(case.subject_id) if case.subject_id else None,
            "enforcement": done.result,
        },
    )
    _announce(decision, case)
    return decision


def case_decide(
    *,
    actor: User,
    case_id: str,
    policy_code: str,
    action: str,
    note: str = "",
    timeout_seconds: int | None = None,
    ip: str = "",
) -> Decision:
    """Decide a case (claimed by the actor, or by nobody) under a policy code with an action it allows."""
    require_perm(actor, Perm.MODERATION_REVIEW)
    policy = policy_check(policy_code, action)
    note, seconds = _note_and_seconds(note, action, timeout_seconds)
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("room", "subject").filter(pk=case_id).first()
        if case is None:
            raise CaseNotFound()
        return _decide_locked(actor=actor, case=case, policy=policy, action=action, note=note, seconds=seconds, ip=ip)


@dataclass
class BulkOutcome:
    decided: list[Decision] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # case id → why


def cases_decide_bulk(
    *, actor: User, case_ids: list[str], policy_code: str, action: str, note: str = "", ip: str = ""
) -> BulkOutcome:
    """One policy and action on many cases (a spam wave): each case gets its own decision, in its own
    transaction; a case that cannot take it (held by someone else, already decided…) is listed as refused."""
    require_perm(actor, Perm.MODERATION_REVIEW)
    policy = policy_check(policy_code, action)
    note, seconds = _note_and_seconds(note, action, None)
    ids = list(dict.fromkeys(str(i)[:26] for i in case_ids))
    if not ids or len(ids) > BULK_MAX:
        raise ValidationFailed.of_field("case_ids", f"Choose 1–{BULK_MAX} cases.")
    outcome = BulkOutcome()
    for case_id in ids:
        try:
            with transaction.atomic():
                case = (
                    Case.objects.select_for_update(of=("self",))
                    .select_related("room", "subject")
                    .filter(pk=case_id)
                    .first()
                )
                if case is None:
                    raise CaseNotFound()
                outcome.decided.append(
                    _decide_locked(
                        actor=actor, case=case, policy=policy, action=action, note=note, seconds=seconds, ip=ip
                    )
                )
        except ApplicationError as exc:
            outcome.refused[case_id] = exc.message
    return outcome


def decision_record_automated(*, case: Case, policy_code: str, action: str, enforcement: dict[str, Any]) -> Decision:
    """Record what a machine already did (the frame scanner ended a stream on a prohibited-list match, the chat
    classifier blocked a line), with its statement of reasons. The case's status is the caller's: the scanner
    leaves it in the queue for a person, a chat block closes it unless a person should look (`chat_blocks`)."""
    policy = policy_check(policy_code, action)
    with transaction.atomic():
        decision = Decision.objects.create(
            case=case,
            moderator=None,
            automated=True,
            policy_code=policy.code,
            action=action,
            subject=case.subject,
            room=case.room,
            evidence={"case": case.evidence, "enforcement": enforcement},
        )
        statement_write(decision=decision, case=case, policy=policy, end_date=None)
        audit_record(
            actor=None,
            action="moderation.decided_automatically",
            target=case,
            data={"decision": decision.pk, "policy": policy.code, "action": action, "enforcement": enforcement},
        )
        _announce(decision, case)
    return decision
