"""The privacy API (see docs/privacy.md): a person's export and erasure requests; staff's request queue,
requests received by e-mail, legal holds and the retention dry run."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Router, Status

from stagedoor.accounts.auth import AUTH, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import user_by_login_or_id
from stagedoor.core.middleware import client_ip
from stagedoor.privacy import errors, schemas, selectors, services
from stagedoor.privacy.models import LegalHold, PrivacyRequest

router = Router(tags=["privacy"])


def _me(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def request_out(req: PrivacyRequest, *, steps: bool = False) -> dict[str, Any]:
    return {
        "id": req.pk,
        "user_id": str(req.user_id),
        "kind": req.kind,
        "source": req.source,
        "status": req.status,
        "received_at": req.received_at,
        "due_at": req.due_at,
        "run_after": req.run_after,
        "completed_at": req.completed_at,
        "outcome": req.outcome,
        "steps": [
            {"app_label": s.app_label, "status": s.status, "changed": s.changed, "kept": s.kept}
            for s in req.steps.order_by("app_label")
        ]
        if steps
        else [],
    }


def hold_out(hold: LegalHold) -> dict[str, Any]:
    return {
        "id": hold.pk,
        "user_id": str(hold.user_id) if hold.user_id else None,
        "target_type": hold.target_type,
        "target_id": hold.target_id,
        "reason": hold.reason,
        "placed_at": hold.placed_at,
        "expires_at": hold.expires_at,
        "released_at": hold.released_at,
    }


def _subject(text: str) -> User:
    user = user_by_login_or_id(text)
    if user is None:
        raise errors.UnknownUser(extra={"fields": {"user": ["No account with that login or id."]}})
    return user


@router.get("/privacy/requests", response=list[schemas.PrivacyRequestOut], auth=AUTH)
def my_requests(request: HttpRequest) -> list[dict[str, Any]]:
    return [request_out(r, steps=True) for r in selectors.requests_of(_me(request))[:50]]


@router.post("/privacy/export", response={202: schemas.PrivacyRequestOut}, auth=AUTH)
def export_ask(request: HttpRequest) -> Status[dict[str, Any]]:
    req = services.export_request(user=_me(request), ip=client_ip(request))
    req.refresh_from_db()
    return Status(202, request_out(req))


@router.post("/privacy/erasure", response={202: schemas.PrivacyRequestOut}, auth=AUTH)
def erasure_ask(request: HttpRequest) -> Status[dict[str, Any]]:
    req = services.erasure_request(user=_me(request), ip=client_ip(request))
    return Status(202, request_out(req))


@router.post("/privacy/requests/{request_id}/cancel", response=schemas.PrivacyRequestOut, auth=AUTH)
def request_cancel(request: HttpRequest, request_id: str) -> dict[str, Any]:
    me = _me(request)
    selectors.access_request(me, request_id)
    return request_out(services.request_cancel(actor=me, request_id=request_id, ip=client_ip(request)))


@router.get(
    "/privacy/staff/requests", response=list[schemas.PrivacyRequestOut], auth=requires(Perm.PRIVACY_REQUESTS_MANAGE)
)
def staff_requests(request: HttpRequest, status: str = "open") -> list[dict[str, Any]]:
    return [request_out(r) for r in selectors.request_queue(status="open" if status == "open" else "closed")]


@router.get(
    "/privacy/staff/requests/{request_id}",
    response=schemas.PrivacyRequestOut,
    auth=requires(Perm.PRIVACY_REQUESTS_MANAGE),
)
def staff_request_get(request: HttpRequest, request_id: str) -> dict[str, Any]:
    return request_out(selectors.access_request(_me(request), request_id), steps=True)


@router.post(
    "/privacy/staff/requests", response={201: schemas.PrivacyRequestOut}, auth=requires(Perm.PRIVACY_REQUESTS_MANAGE)
)
def staff_request_create(request: HttpRequest, payload: schemas.PrivacyStaffRequestIn) -> Status[dict[str, Any]]:
    req = services.staff_request_create(
        actor=_me(request),
        user=_subject(payload.user),
        kind=payload.kind,
        verification_note=payload.verification_note,
        ip=client_ip(request),
    )
    req.refresh_from_db()
    return Status(201, request_out(req))


@router.get("/privacy/holds", response=list[schemas.LegalHoldOut], auth=requires(Perm.LEGAL_HOLDS_MANAGE))
def holds(request: HttpRequest, active: bool = True) -> list[dict[str, Any]]:
    return [hold_out(h) for h in selectors.holds(active=active)]


@router.post("/privacy/holds", response={201: schemas.LegalHoldOut}, auth=requires(Perm.LEGAL_HOLDS_MANAGE))
def hold_place(request: HttpRequest, payload: schemas.LegalHoldIn) -> Status[dict[str, Any]]:
    hold = services.legal_hold_place(
        actor=_me(request),
        user=_subject(payload.user) if payload.user else None,
        target_type=payload.target_type,
        target_id=payload.target_id,
        reason=payload.reason,
        expires_at=payload.expires_at,
        ip=client_ip(request),
    )
    return Status(201, hold_out(hold))


@router.post("/privacy/holds/{hold_id}/release", response=schemas.LegalHoldOut, auth=requires(Perm.LEGAL_HOLDS_MANAGE))
def hold_release(request: HttpRequest, hold_id: str, payload: schemas.LegalHoldReleaseIn) -> dict[str, Any]:
    hold = services.legal_hold_release(
        actor=_me(request), hold_id=hold_id, reason=payload.reason, ip=client_ip(request)
    )
    return hold_out(hold)


@router.get("/privacy/retention", response=schemas.RetentionReportOut, auth=requires(Perm.PRIVACY_REQUESTS_MANAGE))
def retention_preview(request: HttpRequest) -> dict[str, Any]:
    """What the daily retention pass would delete or anonymise now (a dry run: nothing changes)."""
    report = services.retention_run(dry_run=True)
    return {
        "dry_run": True,
        "ran_at": report.ran_at,
        "held_users": report.held_users,
        "exports_purged": report.exports_purged,
        "lines": [line.__dict__ for line in report.lines],
    }
