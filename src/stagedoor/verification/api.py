"""The verification REST API: performer applications, a person's verification, vendor webhooks, co-performers,
viewer age assurance, and the staff tools (decisions, status, re-verification, records, age policy, recovery)."""

from __future__ import annotations

import json
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Status

from stagedoor.accounts.auth import AUTH, optional_user, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import access_user
from stagedoor.core.gates import ADULT_CONTENT, GateContext, gate_refusal
from stagedoor.core.geo import location_for_request
from stagedoor.core.middleware import client_ip
from stagedoor.verification import errors, schemas, selectors, services
from stagedoor.verification.models import PerformerApplication, Verification
from stagedoor.verification.vendors.base import WebhookRequest

router = Router(tags=["verification"])


def _me(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _verification_out(v: Verification | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "id": v.pk,
        "purpose": v.purpose,
        "method": v.method,
        "status": v.status,
        "vendor_url": v.vendor_url if v.status == Verification.Status.STARTED else "",
        "vendor_error": v.vendor_error,
        "reason": v.reason,
        "created_at": v.created_at,
        "decided_at": v.decided_at,
    }


def _application_out(a: PerformerApplication) -> dict[str, Any]:
    step = services.application_next_step(a, a.verification)
    return {
        "id": a.pk,
        "user_id": a.user_id,
        "stage_name": a.stage_name,
        "status": a.status,
        "note": a.note,
        "created_at": a.created_at,
        "decided_at": a.decided_at,
        "verification": _verification_out(a.verification),
        "next_step": step["text"],
    }


def _standing_out(standing: selectors.Standing) -> dict[str, Any]:
    return {
        "state": standing.state,
        "verified_at": standing.verified_at,
        "deadline": standing.deadline,
        "reason": standing.reason,
    }


# --- applying and verifying ---------------------------------------------------------------------------


@router.post("/performer-applications", response={201: schemas.ApplicationOut}, auth=requires(Perm.PERFORMER_APPLY))
def performer_apply(request: HttpRequest, payload: schemas.ApplicationIn) -> Status[object]:
    application = services.performer_apply(
        user=_me(request),
        stage_name=payload.stage_name,
        legal_name=payload.legal_name,
        date_of_birth=payload.date_of_birth,
        country=payload.country,
        method=payload.method,
        ip=client_ip(request),
    )
    return Status(201, _application_out(application))


@router.get("/me/performer-application", response=schemas.ApplicationOut, auth=AUTH)
def my_application(request: HttpRequest) -> dict[str, Any]:
    application = selectors.performer_application_of(_me(request))
    if application is None:
        raise errors.ApplicationNotFound("You have not applied.")
    return _application_out(application)


@router.post("/me/performer-application/restart", response=schemas.ApplicationOut, auth=AUTH)
def my_application_restart(request: HttpRequest, payload: schemas.MethodIn) -> dict[str, Any]:
    """A new identity check for the pending application (after "more information needed" or an abandoned one)."""
    return _application_out(services.performer_application_restart(user=_me(request), method=payload.method))


@router.get("/me/verification", response=schemas.MyVerificationOut, auth=AUTH)
def my_verification(request: HttpRequest) -> dict[str, Any]:
    user = _me(request)
    current = selectors.latest_verification_of(
        user, purposes=(Verification.Purpose.ONBOARDING, Verification.Purpose.REVERIFICATION)
    )
    step = services.application_next_step(None, current)
    return {
        "standing": _standing_out(selectors.standing_of(user.pk, now=timezone.now())),
        "current": _verification_out(current),
        "next_step": step["text"],
    }


@router.post("/me/verification", response={201: schemas.VerificationOut}, auth=AUTH)
def my_verification_start(request: HttpRequest, payload: schemas.IdentityIn) -> Status[object]:
    """A performer verifies their identity (the first time, or again when it is due)."""
    verification = services.identity_verify_start(
        user=_me(request),
        legal_name=payload.legal_name,
        date_of_birth=payload.date_of_birth,
        country=payload.country,
        method=payload.method,
    )
    return Status(201, _verification_out(verification))


@router.post("/me/verifications/{verification_id}/retry", response=schemas.VerificationOut, auth=AUTH)
def my_verification_retry(request: HttpRequest, verification_id: str) -> dict[str, Any] | None:
    """Open the vendor's session again after an outage."""
    return _verification_out(services.verification_retry(user=_me(request), verification_id=verification_id))


@router.post("/me/verifications/{verification_id}/submit", response=schemas.VerificationOut, auth=AUTH)
def my_verification_submit(request: HttpRequest, verification_id: str) -> dict[str, Any] | None:
    """Send uploaded documents (front of the ID and a selfie at least) for review. Upload them on /verify."""
    verification = services.verification_submit(
        user=_me(request), verification_id=verification_id, ip=client_ip(request)
    )
    return _verification_out(verification)


# --- vendor webhooks ----------------------------------------------------------------------------------


@router.post("/verification/webhooks/{vendor}", response={200: schemas.WebhookOut}, auth=None)
def vendor_webhook(request: HttpRequest, vendor: str) -> HttpResponse:
    """A vendor's signed decision. Forged → 401, unknown session → 404, replayed or out of order → 200 and no
    change; every call is logged."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    result = services.webhook_receive(
        vendor=vendor[:10], request=WebhookRequest(body=request.body, headers=headers), remote_ip=client_ip(request)
    )
    body: dict[str, object] = {"outcome": result.outcome, "detail": result.detail}
    if result.status != 200:
        body = {"code": f"verification.webhook_{result.outcome}", "message": result.detail, "extra": {}}
    return HttpResponse(json.dumps(body), status=result.status, content_type="application/json")


# --- co-performers ------------------------------------------------------------------------------------


def _coperformer_out(c: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "stage_name": c.stage_name,
        "account_id": c.account_id,
        "declared": c.declared,
        "verified": selectors.coperformer_is_verified(c, now=timezone.now()),
        "verification": _verification_out(selectors.coperformer_verification(c)),
    }


@router.get("/me/coperformers", response=list[schemas.CoPerformerOut], auth=requires(Perm.COPERFORMERS_MANAGE))
def my_coperformers(request: HttpRequest) -> list[dict[str, Any]]:
    return [_coperformer_out(c) for c in selectors.coperformers_of(_me(request))]


@router.post("/me/coperformers", response={201: schemas.CoPerformerOut}, auth=requires(Perm.COPERFORMERS_MANAGE))
def my_coperformer_add(request: HttpRequest, payload: schemas.CoPerformerIn) -> Status[object]:
    """Another performer of ours by login, or someone without an account: identity, signed release, verification."""
    owner = _me(request)
    if payload.account_login:
        added = services.coperformer_add_account(owner=owner, login=payload.account_login, ip=client_ip(request))
    else:
        added = services.coperformer_add_record(
            owner=owner,
            stage_name=payload.stage_name,
            legal_name=payload.legal_name,
            date_of_birth=payload.date_of_birth,
            country=payload.country,
            release_signed_name=payload.release_signed_name,
            release_accepted=payload.release_accepted,
            method=payload.method,
            ip=client_ip(request),
        )
    return Status(201, _coperformer_out(added))


@router.post(
    "/me/coperformers/{coperformer_id}/declare",
    response=schemas.CoPerformerOut,
    auth=requires(Perm.COPERFORMERS_MANAGE),
)
def my_coperformer_declare(request: HttpRequest, coperformer_id: str, payload: schemas.DeclareIn) -> dict[str, Any]:
    """On (or off) the list for the next broadcast: the stream will not start while a declared one is unverified."""
    cp = services.coperformer_declare(
        owner=_me(request), coperformer_id=coperformer_id, declared=payload.declared, ip=client_ip(request)
    )
    return _coperformer_out(cp)


# --- viewer age assurance -----------------------------------------------------------------------------


@router.get("/age-assurance", response=schemas.AgeRequirementOut, auth=None)
def age_assurance(request: HttpRequest) -> dict[str, Any]:
    """What a viewer here must pass before adult content, and whether they have."""
    location = location_for_request(request)
    requirement = selectors.age_requirement(location)
    refusal = gate_refusal(ADULT_CONTENT, GateContext(user=optional_user(request), request=request))
    return {
        "region": requirement.region,
        "method": requirement.method,
        "reason": requirement.reason,
        "satisfied": refusal is None,
        "country": location.country,
        "subdivision": location.subdivision,
    }


# --- staff --------------------------------------------------------------------------------------------


@router.get(
    "/staff/performer-applications",
    response=list[schemas.ApplicationOut],
    auth=requires(Perm.PERFORMER_REVIEW),
    tags=["staff"],
)
def staff_applications(request: HttpRequest, status: str = "pending") -> list[dict[str, Any]]:
    return [_application_out(a) for a in selectors.performer_applications(status=status[:10])]


@router.post(
    "/staff/performer-applications/{application_id}/decision",
    response=schemas.ApplicationOut,
    auth=requires(Perm.PERFORMER_REVIEW),
    tags=["staff"],
)
def staff_application_decide(request: HttpRequest, application_id: str, payload: schemas.DecisionIn) -> dict[str, Any]:
    application = services.performer_application_decide(
        actor=_me(request),
        application_id=application_id,
        decision=payload.decision,
        reason=payload.reason,
        document_expires_on=payload.document_expires_on,
        ip=client_ip(request),
    )
    return _application_out(application)


@router.get(
    "/staff/verification/users/{user_id}",
    response=schemas.StaffStatusOut,
    auth=requires(Perm.VERIFICATION_STATUS_READ),
    tags=["staff"],
)
def staff_verification_status(request: HttpRequest, user_id: str) -> dict[str, Any]:
    """A person's verification status — never their documents or identity data."""
    subject = access_user(_me(request), user_id, perm=Perm.VERIFICATION_STATUS_READ)
    latest = selectors.latest_verification_of(subject)
    return {
        "user_id": subject.pk,
        "login": subject.login,
        "standing": _standing_out(selectors.standing_of(subject.pk, now=timezone.now())),
        "latest_status": latest.status if latest else "",
        "latest_method": latest.method if latest else "",
        "latest_purpose": latest.purpose if latest else "",
    }


@router.post(
    "/staff/verification/users/{user_id}/reverification",
    response={201: schemas.ReverificationOut},
    auth=requires(Perm.PERFORMER_REVIEW),
    tags=["staff"],
)
def staff_reverification(request: HttpRequest, user_id: str, payload: schemas.ReverificationIn) -> Status[object]:
    """Ask a performer to verify again: due now, and they cannot go live or be paid after the deadline."""
    subject = access_user(_me(request), user_id, perm=Perm.PERFORMER_REVIEW)
    made = services.reverification_request(
        user_id=subject.pk,
        source=payload.source,
        reason=payload.reason,
        deadline=payload.deadline,
        actor=_me(request),
        ip=client_ip(request),
    )
    return Status(201, made)


@router.get(
    "/staff/verification/records",
    auth=requires(Perm.RECORDS_EXPORT),
    tags=["staff"],
)
def staff_records_export(request: HttpRequest) -> HttpResponse:
    """The custodian of records' CSV export (audited)."""
    text = services.records_export_csv(actor=_me(request), ip=client_ip(request))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="records-{timezone.now():%Y%m%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@router.get(
    "/staff/broadcasts",
    response=list[schemas.BroadcastOut],
    auth=requires(Perm.VERIFICATION_STATUS_READ),
    tags=["staff"],
)
def staff_broadcasts(request: HttpRequest, performer_id: str = "") -> list[dict[str, Any]]:
    """Past broadcasts and who was declared on camera in each."""
    performer = access_user(_me(request), performer_id, perm=Perm.VERIFICATION_STATUS_READ) if performer_id else None
    return [
        {
            "id": b.pk,
            "performer_id": b.performer_id,
            "stage_name": b.stage_name,
            "started_at": b.started_at,
            "ended_at": b.ended_at,
            "declared": [{"id": d.get("id"), "stage_name": d.get("stage_name")} for d in b.declared],
        }
        for b in selectors.broadcasts(performer=performer)
    ]


@router.get(
    "/staff/age-policies",
    response=list[schemas.AgePolicyOut],
    auth=requires(Perm.AGE_POLICY_MANAGE),
    tags=["staff"],
)
def staff_age_policies(request: HttpRequest) -> object:
    return selectors.age_policies()


@router.put(
    "/staff/age-policies/{region}",
    response=schemas.AgePolicyOut,
    auth=requires(Perm.AGE_POLICY_MANAGE),
    tags=["staff"],
)
def staff_age_policy_set(request: HttpRequest, region: str, payload: schemas.AgePolicyIn) -> object:
    return services.age_policy_set(
        actor=_me(request), region=region, method=payload.method, reason=payload.reason, ip=client_ip(request)
    )


@router.post(
    "/staff/recoveries",
    response={201: schemas.RecoveryStartedOut},
    auth=requires(Perm.RECOVERY_START),
    tags=["staff"],
)
def staff_recovery_start(request: HttpRequest, payload: schemas.RecoveryStartIn) -> Status[object]:
    """Start an identity-checked recovery for a performer who lost password and second factor. Support sees the
    status and the link to pass on, never a document."""
    started = services.recovery_start(login=payload.login, actor=_me(request), ip=client_ip(request))
    return Status(201, {"recovery_id": started.recovery.pk, "status": started.recovery.status, "url": started.url})
