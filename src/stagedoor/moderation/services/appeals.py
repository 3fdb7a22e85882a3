"""Appeals (internal complaint handling, DSA Art. 20): the affected person appeals a restrictive decision once,
within the window; a different moderator reviews it; an upheld appeal reverses the decision (unban, restore the
message, reactivate the account) and is recorded as a reversing decision."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed
from stagedoor.moderation import policies as P
from stagedoor.moderation import selectors
from stagedoor.moderation.errors import (
    AppealClosed,
    AppealExists,
    AppealNotAppealable,
    AppealNotFound,
    AppealSameModerator,
    AppealWindowClosed,
)
from stagedoor.moderation.models import Appeal, Case, Decision
from stagedoor.moderation.services.cases import _held_by_other, case_open
from stagedoor.moderation.services.decisions import _announce
from stagedoor.moderation.services.enforcement import reverse

TEXT_MAX = 2000
OUTCOMES = (Appeal.Outcome.UPHELD, Appeal.Outcome.REJECTED)


def appeal_file(*, appellant: User, decision_id: str, text: str) -> Appeal:
    """Appeal a decision about you. Once per decision (a second one is AppealExists), within the window."""
    decision = selectors.access_own_decision(appellant, decision_id)
    if decision.action not in P.RESTRICTIVE or decision.reverses_id is not None:
        raise AppealNotAppealable()
    text = (text or "").strip()
    if not text or len(text) > TEXT_MAX or "\x00" in text:
        raise ValidationFailed.of_field("text", f"Say why in 1–{TEXT_MAX} characters.")
    if Appeal.objects.filter(decision=decision).exists():
        raise AppealExists()
    if timezone.now() > decision.created_at + timedelta(days=P.cases_config().appeal_days):
        raise AppealWindowClosed()
    original = decision.case
    try:
        with transaction.atomic():
            case, _ = case_open(
                source=Case.Source.APPEAL,
                category=original.category,
                subject=appellant,
                room=decision.room,
                severity=P.worse(original.severity, P.MEDIUM),
                evidence={
                    "appeal": {"text": text},
                    "decision": {
                        "id": decision.pk,
                        "policy_code": decision.policy_code,
                        "action": decision.action,
                        "note": decision.note,
                        "case_id": original.pk,
                    },
                },
                dedupe_key=f"appeal:{decision.pk}",
            )
            return Appeal.objects.create(decision=decision, appellant=appellant, text=text, case=case)
    except IntegrityError:  # the same appeal sent twice at once: the first one stands
        raise AppealExists() from None


def appeal_decide(*, actor: User, appeal_id: str, outcome: str, note: str = "", ip: str = "") -> Appeal:
    """A moderator other than the one who decided reviews the appeal. Upheld: the decision is reversed (and a
    reversing decision recorded); rejected: it stands. Either way the appellant sees the outcome."""
    require_perm(actor, Perm.MODERATION_REVIEW)
    if outcome not in OUTCOMES:
        raise ValidationFailed.of_field("outcome", "Uphold or reject the appeal.")
    note = (note or "").strip()
    if len(note) > TEXT_MAX or "\x00" in note:
        raise ValidationFailed.of_field("note", f"Write at most {TEXT_MAX} characters.")
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().filter(pk=appeal_id).first()
        if appeal is None:
            raise AppealNotFound()
        original = Decision.objects.select_related("case", "room").get(pk=appeal.decision_id)
        if appeal.status == Appeal.Status.DECIDED:
            raise AppealClosed()
        if original.moderator_id == actor.pk:
            raise AppealSameModerator()
        if appeal.appellant_id == actor.pk:
            raise AppealSameModerator("Your own appeal goes to another moderator.")
        case = Case.objects.select_for_update().filter(pk=appeal.case_id).first() if appeal.case_id else None
        if case is not None and case.claimed_by_id is not None and case.claimed_by_id != actor.pk:
            raise _held_by_other(case)
        now = timezone.now()
        reversal = None
        if outcome == Appeal.Outcome.UPHELD:
            reversal = Decision.objects.create(
                case=original.case,
                moderator=actor,
                automated=False,
                policy_code=original.policy_code,
                action=P.REVERSE,
                note=note,
                subject=original.subject,
                room=original.room,
                reverses=original,
                evidence={"appeal": appeal.pk},
            )
            undone = reverse(actor=actor, original=original, reversal=reversal, ip=ip)
            _announce(reversal, original.case)
        appeal.status, appeal.outcome, appeal.reviewer = Appeal.Status.DECIDED, outcome, actor
        appeal.reviewer_note, appeal.decided_at = note, now
        appeal.save(update_fields=["status", "outcome", "reviewer", "reviewer_note", "decided_at"])
        if case is not None:
            case.status, case.decided_at, case.claimed_by = Case.Status.DECIDED, now, case.claimed_by or actor
            case.save(update_fields=["status", "decided_at", "claimed_by"])
        audit_record(
            actor=actor,
            action="moderation.appeal_decided",
            target=appeal,
            ip=ip,
            data={
                "decision": original.pk,
                "outcome": outcome,
                "reversal": reversal.pk if reversal else None,
                "undone": undone if reversal else {},
            },
        )
    return appeal
