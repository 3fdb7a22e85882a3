"""The payouts API (see docs/payouts.md): a performer's payout method, and the staff's sanctions clearance queue."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Router

from stagedoor.accounts.auth import requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import access_user
from stagedoor.core.middleware import client_ip
from stagedoor.payouts import schemas, selectors, services
from stagedoor.payouts.models import PayoutMethod, ScreeningCase

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
def staff_screening_decide(request: HttpRequest, case_id: str, payload: schemas.DecisionIn) -> dict[str, Any]:
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
