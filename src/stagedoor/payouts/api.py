"""The payouts API (see docs/payouts.md): a performer's payout method, and the staff's sanctions clearance queue."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Router, Status

from stagedoor.accounts.auth import requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import access_user
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.middleware import client_ip
from stagedoor.payouts import conf, schemas, selectors, services
from stagedoor.payouts.models import PayoutItem, PayoutMethod, PayoutRun, ScreeningCase

router = Router(tags=["payouts"])


def _me(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _method_out(m: PayoutMethod | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "id": m.pk,
        "version": m.version,
        "kind": m.kind,
        "masked": m.masked,
        "created_at": m.created_at,
        "superseded_at": m.superseded_at,
    }


def _blockers_out(user: User) -> list[dict[str, str]]:
    return [{"code": b.code, "message": b.message} for b in selectors.payout_blockers(user)]


def _case_out(c: ScreeningCase) -> dict[str, Any]:
    return {
        "id": c.pk,
        "performer_id": str(c.performer_id),
        "performer_login": c.performer.login,
        "subject": c.subject,
        "screened_name": c.screened_name,
        "matched_name": c.matched_name,
        "ent_num": c.ent_num,
        "program": c.program,
        "score": c.score,
        "status": c.status,
        "reason": c.reason,
        "decided_by": c.decided_by_label,
        "decided_at": c.decided_at,
        "created_at": c.created_at,
    }


def _mine(user: User) -> dict[str, Any]:
    return {
        "current": _method_out(selectors.current_payout_method(user)),
        "history": [_method_out(m) for m in selectors.payout_method_history(user)],
        "blockers": _blockers_out(user),
    }


@router.get("/me/payout-method", response=schemas.MyPayoutMethodOut, auth=requires(Perm.PAYOUT_DETAILS_MANAGE))
def my_payout_method(request: HttpRequest) -> dict[str, Any]:
    """The payout method in force (masked), every earlier version, and what keeps the performer from being paid."""
    return _mine(_me(request))


@router.put("/me/payout-method", response=schemas.MyPayoutMethodOut, auth=requires(Perm.PAYOUT_DETAILS_MANAGE))
def my_payout_method_set(request: HttpRequest, payload: schemas.PayoutMethodIn) -> dict[str, Any]:
    """Set the payout method: a new version (the old one kept); the holder must match the verified legal name."""
    services.payout_method_set(
        performer=_me(request),
        kind=payload.kind,
        holder_name=payload.holder_name,
        fields={"iban": payload.iban, "bic": payload.bic, "email": payload.email, "address": payload.address},
        ip=client_ip(request),
    )
    return _mine(_me(request))


@router.get(
    "/staff/sanctions/cases",
    response=list[schemas.ScreeningCaseOut],
    auth=requires(Perm.SANCTIONS_REVIEW),
    tags=["staff"],
)
def staff_screening_cases(request: HttpRequest, status: str = "open") -> list[dict[str, Any]]:
    """The clearance queue: highest score first, then newest (status: open, cleared, confirmed or all)."""
    wanted = "" if status == "all" else status[:10]
    return [_case_out(c) for c in selectors.screening_queue(status=wanted)]


@router.post(
    "/staff/sanctions/cases/{case_id}/decision",
    response=schemas.ScreeningCaseOut,
    auth=requires(Perm.SANCTIONS_REVIEW),
    tags=["staff"],
)
def staff_screening_decide(request: HttpRequest, case_id: str, payload: schemas.PayoutDecisionIn) -> dict[str, Any]:
    services.screening_case_decide(
        actor=_me(request), case_id=case_id, decision=payload.decision, reason=payload.reason, ip=client_ip(request)
    )
    return _case_out(selectors.access_screening_case(_me(request), case_id, perm=Perm.SANCTIONS_REVIEW))


@router.get(
    "/staff/sanctions/lists",
    response=list[schemas.SanctionsListOut],
    auth=requires(Perm.SANCTIONS_REVIEW),
    tags=["staff"],
)
def staff_sanctions_lists(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": s.pk,
            "source": s.source,
            "sha256": s.sha256,
            "entries": s.entries,
            "names": s.names,
            "loaded_at": s.loaded_at,
            "loaded_by": s.loaded_by_label,
        }
        for s in selectors.sanctions_lists()
    ]


@router.get(
    "/staff/payouts/users/{user_id}",
    response=schemas.PayeeStatusOut,
    auth=requires(Perm.SANCTIONS_REVIEW),
    tags=["staff"],
)
def staff_payee_status(request: HttpRequest, user_id: str) -> dict[str, Any]:
    """A person's payout method (masked), what blocks paying them, and their screening results."""
    subject = access_user(_me(request), user_id, perm=Perm.SANCTIONS_REVIEW)
    return {
        "user_id": str(subject.pk),
        "login": subject.login,
        "method": _method_out(selectors.current_payout_method(subject)),
        "blockers": _blockers_out(subject),
        "cases": [_case_out(c) for c in selectors.cases_of(subject)],
    }


# --- payout runs ---------------------------------------------------------------------------------------------


def _item_out(i: PayoutItem) -> dict[str, Any]:
    return {
        "id": i.pk,
        "run_id": i.run_id,
        "performer_id": str(i.performer_id),
        "performer_login": i.performer.login,
        "status": i.status,
        "matured_tokens": i.matured_tokens,
        "held_tokens": i.held_tokens,
        "reserve_tokens": i.reserve_tokens,
        "amount_tokens": i.amount_tokens,
        "amount_minor": i.amount_minor,
        "currency": i.run.currency,
        "method_kind": i.method_kind,
        "method_masked": i.method.masked if i.method is not None else "",
        "reasons": i.reasons,
        "outcome_reason": i.outcome_reason,
        "reserve_release_at": i.reserve_release_at,
        "period_start": i.run.period_start,
        "period_end": i.run.period_end,
    }


def _run_out(run: PayoutRun, *, items: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": run.pk,
        "period_start": run.period_start,
        "period_end": run.period_end,
        "status": run.status,
        "currency": run.currency,
        "rate_minor": run.rate_minor,
        "total_tokens": run.total_tokens,
        "total_minor": run.total_minor,
        "reserved_tokens": run.reserved_tokens,
        "approvals_needed": run.approvals_needed,
        "approved_by": selectors.run_approvers(run),
        "counts": selectors.run_counts(run),
        "files": [
            {"id": f.pk, "kind": f.kind, "filename": f.filename, "lines": f.lines, "sha256": f.sha256}
            for f in run.files.order_by("kind")
        ],
        "created_by": run.created_by_label,
        "created_at": run.created_at,
    }
    if items:
        out["items"] = [_item_out(i) for i in selectors.run_items(run)]
    return out


@router.get("/me/payouts", response=list[schemas.PayoutItemOut], auth=requires(Perm.PAYOUT_DETAILS_MANAGE))
def my_payouts(request: HttpRequest) -> list[dict[str, Any]]:
    """The performer's payout history, newest period first: paid, under way, held (with the reason), carried over."""
    return [_item_out(i) for i in selectors.payouts_of(_me(request))]


@router.get(
    "/staff/payout-runs", response=list[schemas.PayoutRunOut], auth=requires(Perm.PAYOUTS_MANAGE), tags=["staff"]
)
def staff_payout_runs(request: HttpRequest) -> list[dict[str, Any]]:
    return [_run_out(r) for r in selectors.runs_recent()]


@router.post(
    "/staff/payout-runs",
    response={200: schemas.PayoutRunDetailOut, 201: schemas.PayoutRunDetailOut},
    auth=requires(Perm.PAYOUTS_MANAGE),
    tags=["staff"],
)
def staff_payout_run_create(request: HttpRequest, payload: schemas.PayoutRunIn) -> Status[dict[str, Any]]:
    """Make the run of the last period ended (201), or answer the one already made for it (200): never twice."""
    run, created = services.payout_run_create(actor=_me(request), period_end=payload.period_end, ip=client_ip(request))
    return Status(201 if created else 200, _run_out(run, items=True))


@router.get(
    "/staff/payout-runs/{run_id}",
    response=schemas.PayoutRunDetailOut,
    auth=requires(Perm.PAYOUTS_MANAGE),
    tags=["staff"],
)
def staff_payout_run(request: HttpRequest, run_id: str) -> dict[str, Any]:
    return _run_out(selectors.access_run(_me(request), run_id), items=True)


@router.post(
    "/staff/payout-runs/{run_id}/approve",
    response=schemas.PayoutRunOut,
    auth=requires(Perm.PAYOUTS_MANAGE),
    tags=["staff"],
)
def staff_payout_run_approve(request: HttpRequest, run_id: str) -> dict[str, Any]:
    return _run_out(services.payout_run_approve(actor=_me(request), run_id=run_id, ip=client_ip(request)))


@router.post(
    "/staff/payout-runs/{run_id}/send",
    response=schemas.PayoutRunOut,
    auth=requires(Perm.PAYOUTS_MANAGE),
    tags=["staff"],
)
def staff_payout_run_send(request: HttpRequest, run_id: str) -> dict[str, Any]:
    return _run_out(services.payout_run_send(actor=_me(request), run_id=run_id, ip=client_ip(request)))


@router.post(
    "/staff/payout-runs/{run_id}/cancel",
    response=schemas.PayoutRunOut,
    auth=requires(Perm.PAYOUTS_MANAGE),
    tags=["staff"],
)
def staff_payout_run_cancel(request: HttpRequest, run_id: str, payload: schemas.PayoutReasonIn) -> dict[str, Any]:
    return _run_out(
        services.payout_run_cancel(actor=_me(request), run_id=run_id, reason=payload.reason, ip=client_ip(request))
    )


@router.post(
    "/staff/payouts/{item_id}/review",
    response=schemas.PayoutItemOut,
    auth=requires(Perm.PAYOUTS_MANAGE),
    tags=["staff"],
)
def staff_payout_review(request: HttpRequest, item_id: str, payload: schemas.ReviewIn) -> dict[str, Any]:
    """A payout held for review: release it into its run, or keep it held (its tokens stay in earnings)."""
    item = services.payout_item_review(
        actor=_me(request), item_id=item_id, release=payload.release, reason=payload.reason, ip=client_ip(request)
    )
    return _item_out(PayoutItem.objects.select_related("run", "performer", "method").get(pk=item.pk))


@router.post(
    "/staff/payout-runs/{run_id}/outcomes",
    response=schemas.SettleOut,
    auth=requires(Perm.PAYOUTS_MANAGE),
    tags=["staff"],
)
def staff_payout_outcomes(request: HttpRequest, run_id: str, payload: schemas.MarkIn) -> dict[str, Any]:
    """Record what became of lines by hand (an e-wallet batch's result): each line changes at most once."""
    result = services.payout_items_mark(
        actor=_me(request),
        run_id=run_id,
        item_ids=payload.item_ids,
        outcome=payload.outcome,
        reason=payload.reason,
        ip=client_ip(request),
    )
    return {"applied": result.applied, "unchanged": result.unchanged}


@router.post("/staff/payout-reports", response=schemas.SettleOut, auth=requires(Perm.PAYOUTS_MANAGE), tags=["staff"])
def staff_payout_report(request: HttpRequest, kind: str = "status") -> dict[str, Any]:
    """The bank's pain.002 status report (`kind=status`) or a return (camt.054, `kind=return`) as the request body
    (XML): every line it names is settled once; a batch or line we never sent refuses the whole file."""
    if kind not in ("status", "return"):
        raise ValidationFailed(extra={"fields": {"kind": ["status or return"]}})
    if len(request.body) > conf.MAX_REPORT_BYTES:
        raise ValidationFailed(f"A report is at most {conf.MAX_REPORT_BYTES // 1_000_000} MB.")
    result = services.payout_report_apply(actor=_me(request), content=request.body, kind=kind, ip=client_ip(request))
    return {"applied": result.applied, "unchanged": result.unchanged}
