"""The trust & safety REST API: reports and appeals for everyone signed in; the review queue for moderators;
the transparency report and its export for compliance."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Status

from stagedoor.accounts.auth import AUTH, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.middleware import client_ip
from stagedoor.moderation import schemas, selectors, services
from stagedoor.moderation.models import Appeal, Case, Decision, StatementOfReasons
from stagedoor.moderation.text.classifier import shared_policy
from stagedoor.moderation.text.policy import CATEGORIES as TEXT_CATEGORIES
from stagedoor.rooms.selectors import room_by_slug

router = Router(tags=["moderation"])


def _me(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


# --- everyone signed in: reports, decisions about me, appeals -----------------------------------------------


@router.post("/moderation/reports", response={201: schemas.ReportOut}, auth=AUTH)
def report_file(request: HttpRequest, payload: schemas.ReportIn) -> Status[object]:
    """Report a chat message, a room or a person. Reporting the same thing again while it is under review
    answers the first report; more than the hourly limit is 429 `moderation.report_rate_limited`."""
    report = services.report_file(
        reporter=_me(request),
        target_kind=payload.target_kind,
        target_id=payload.target_id,
        reason=payload.reason,
        text=payload.text,
        ip=client_ip(request),
    )
    return Status(201, report)


@router.get("/moderation/reports", response=list[schemas.ReportOut], auth=AUTH)
def my_reports(request: HttpRequest, limit: int = 50) -> object:
    """Your reports, newest first, with what became of each."""
    return selectors.reports_of(_me(request), limit=limit)


def _statement(s: StatementOfReasons | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "restriction": s.restriction_summary,
        "decision_visibility": s.decision_visibility,
        "decision_provision": s.decision_provision,
        "decision_account": s.decision_account,
        "decision_ground": s.decision_ground,
        "legal_ground": s.legal_ground,
        "contractual_ground": s.contractual_ground,
        "explanation": s.explanation,
        "facts": s.facts,
        "automated_detection": s.automated_detection,
        "automated_decision": s.automated_decision,
        "territorial_scope": list(s.territorial_scope),
        "redress": s.redress,
        "application_date": s.application_date,
        "end_date": s.end_date,
    }


def _appeal(a: Appeal | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "id": a.pk,
        "decision_id": a.decision_id,
        "status": a.status,
        "outcome": a.outcome,
        "reviewer_note": a.reviewer_note,
        "created_at": a.created_at,
        "decided_at": a.decided_at,
    }


@router.get("/moderation/decisions", response=list[schemas.DecisionAboutMeOut], auth=AUTH)
def decisions_about_me(request: HttpRequest, limit: int = 50) -> object:
    """Decisions that restricted you, each with its statement of reasons and whether you can still appeal."""
    return [
        {
            "id": v.decision.pk,
            "action": v.decision.action,
            "action_title": v.action_title,
            "policy_code": v.decision.policy_code,
            "policy_title": v.policy_title,
            "created_at": v.decision.created_at,
            "statement": _statement(getattr(v.decision, "statement", None)),
            "appeal": _appeal(v.appeal),
            "appeal_until": v.appeal_until,
            "can_appeal": v.can_appeal,
            "reversed": v.reversed,
        }
        for v in selectors.decisions_about(_me(request), limit=limit)
    ]


@router.post("/moderation/decisions/{decision_id}/appeal", response={201: schemas.AppealOut}, auth=AUTH)
def appeal_file(request: HttpRequest, decision_id: str, payload: schemas.AppealIn) -> Status[object]:
    """Appeal a decision about you, once, within the window; a different moderator reviews it."""
    appeal = services.appeal_file(appellant=_me(request), decision_id=decision_id[:26], text=payload.text)
    return Status(201, _appeal(appeal))


# --- moderators: the queue -------------------------------------------------------------------------------------


def _case(case: Case, *, detail: bool = False) -> dict[str, Any]:
    left = case.due_at - timezone.now()
    out: dict[str, Any] = {
        "id": case.pk,
        "source": case.source,
        "category": case.category,
        "severity": case.severity,
        "status": case.status,
        "subject_id": str(case.subject_id) if case.subject_id else None,
        "room": case.room.slug if case.room else None,
        "claimed_by": str(case.claimed_by_id) if case.claimed_by_id else None,
        "hits": case.hits,
        "created_at": case.created_at,
        "due_at": case.due_at,
        "sla_seconds_left": int(left.total_seconds()),
        "breached": left.total_seconds() < 0,
    }
    if detail:
        out["evidence"] = case.evidence
    return out


def _decision(d: Decision) -> dict[str, Any]:
    enforcement = d.evidence.get("enforcement", {}) if isinstance(d.evidence, dict) else {}
    return {
        "id": d.pk,
        "case_id": d.case_id,
        "action": d.action,
        "policy_code": d.policy_code,
        "automated": d.automated,
        "moderator_id": str(d.moderator_id) if d.moderator_id else None,
        "subject_id": str(d.subject_id) if d.subject_id else None,
        "duration_seconds": d.duration_seconds,
        "enforcement": {str(k): str(v) for k, v in enforcement.items()},
        "created_at": d.created_at,
    }


@router.get("/moderation/cases", response=list[schemas.CaseOut], auth=requires(Perm.MODERATION_REVIEW))
def queue(request: HttpRequest, source: str = "", category: str = "", limit: int = 100) -> object:
    """Open, claimed and escalated cases: worst severity first, then oldest; with SLA time left."""
    require_perm(_me(request), Perm.MODERATION_REVIEW)
    rows = selectors.queue(source=source[:12], category=category[:32], limit=limit)
    return [_case(r.case) for r in rows]


@router.post("/moderation/cases/bulk-decide", response=schemas.BulkDecideOut, auth=requires(Perm.MODERATION_REVIEW))
def cases_bulk_decide(request: HttpRequest, payload: schemas.BulkDecideIn) -> object:
    """The same policy and action on many cases (a spam wave): each gets its own decision; refusals are listed."""
    outcome = services.cases_decide_bulk(
        actor=_me(request),
        case_ids=payload.case_ids,
        policy_code=payload.policy_code,
        action=payload.action,
        note=payload.note,
        ip=client_ip(request),
    )
    return {"decided": [_decision(d) for d in outcome.decided], "refused": outcome.refused}


@router.get("/moderation/cases/{case_id}", response=schemas.CaseDetailOut, auth=requires(Perm.MODERATION_REVIEW))
def case_get(request: HttpRequest, case_id: str) -> object:
    require_perm(_me(request), Perm.MODERATION_REVIEW)
    return _case(selectors.case_get(case_id[:26]), detail=True)


@router.post("/moderation/cases/{case_id}/claim", response=schemas.CaseOut, auth=requires(Perm.MODERATION_REVIEW))
def case_claim(request: HttpRequest, case_id: str) -> object:
    """Claim a case; 409 `moderation.case_held` if someone else holds it."""
    case = services.case_claim(actor=_me(request), case_id=case_id[:26], ip=client_ip(request))
    return _case(selectors.case_get(case.pk))


@router.post("/moderation/cases/{case_id}/release", response=schemas.CaseOut, auth=requires(Perm.MODERATION_REVIEW))
def case_release(request: HttpRequest, case_id: str) -> object:
    case = services.case_release(actor=_me(request), case_id=case_id[:26], ip=client_ip(request))
    return _case(selectors.case_get(case.pk))


@router.post(
    "/moderation/cases/{case_id}/decide", response={201: schemas.DecisionOut}, auth=requires(Perm.MODERATION_REVIEW)
)
def case_decide(request: HttpRequest, case_id: str, payload: schemas.DecideIn) -> Status[object]:
    """Decide under a policy code with an action it allows. Unknown policy (`moderation.unknown_policy`), an
    action the policy does not allow (`moderation.action_not_allowed`) or a case someone else holds
    (`moderation.case_held`) change nothing."""
    decision = services.case_decide(
        actor=_me(request),
        case_id=case_id[:26],
        policy_code=payload.policy_code,
        action=payload.action,
        note=payload.note,
        timeout_seconds=payload.timeout_seconds,
        ip=client_ip(request),
    )
    return Status(201, _decision(decision))


@router.post(
    "/moderation/appeals/{appeal_id}/decide", response=schemas.AppealOut, auth=requires(Perm.MODERATION_REVIEW)
)
def appeal_decide(request: HttpRequest, appeal_id: str, payload: schemas.AppealDecideIn) -> object:
    """Uphold (the decision is reversed) or reject an appeal; never one against your own decision."""
    appeal = services.appeal_decide(
        actor=_me(request), appeal_id=appeal_id[:26], outcome=payload.outcome, note=payload.note, ip=client_ip(request)
    )
    return _appeal(appeal)


# --- a room's chat policy (its performer, or a supervisor) ---------------------------------------------------


@router.put("/rooms/{slug}/chat-policy", response=schemas.ChatPolicyOut, auth=AUTH)
def room_chat_policy(request: HttpRequest, slug: str, payload: schemas.ChatPolicyIn) -> object:
    """What the chat classifier does in the room with each category, replacing the room's whole setting.
    The room's performer or a supervisor (else 403 `auth.forbidden`); an unknown category or action, or
    `minor_risk` below hold, is 422 `moderation.text_policy_invalid` and nothing is stored. Gateways that have
    the room open apply it at once."""
    room = room_by_slug(slug)
    stored = services.room_chat_policy_set(
        actor=_me(request), room=room, actions=payload.actions, ip=client_ip(request)
    )
    table = shared_policy()
    effective = {c: table.action(room.slug, c, stored).name.lower() for c in TEXT_CATEGORIES}
    return {"room": room.slug, "actions": stored, "effective": effective}


# --- transparency ----------------------------------------------------------------------------------------------


@router.get("/moderation/transparency", response=schemas.TransparencyOut, auth=requires(Perm.TRANSPARENCY_READ))
def transparency(request: HttpRequest, start: str = "", end: str = "") -> object:
    """Counts by category, source and action, median time to action, appeals and reversals for [start, end]
    (dates; the last 30 days by default)."""
    require_perm(_me(request), Perm.TRANSPARENCY_READ)
    begin, finish = selectors.period_parse(start, end)
    return selectors.transparency_report(start=begin, end=finish).as_dict()


@router.get("/moderation/transparency/statements", auth=requires(Perm.TRANSPARENCY_READ))
def transparency_statements(request: HttpRequest, start: str = "", end: str = "", format: str = "json") -> HttpResponse:
    """The period's statements of reasons in the DSA Transparency Database's fields: `format=json` (an object
    with `statements`) or `format=csv`."""
    require_perm(_me(request), Perm.TRANSPARENCY_READ)
    if format not in ("json", "csv"):
        raise ValidationFailed.of_field("format", "Use json or csv.")
    begin, finish = selectors.period_parse(start, end)
    return statements_response(begin, finish, format)


def statements_response(begin: datetime, finish: datetime, fmt: str) -> HttpResponse:
    body, content_type, filename = selectors.statements_download(start=begin, end=finish, fmt=fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
