"""The affiliates API (see docs/affiliates.md): a referrer's own figures, links and postback settings; the signed
callback endpoint for trackers; staff: plans, affiliates, held commissions."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status

from stagedoor.accounts.auth import AUTH, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import user_by_login_or_id
from stagedoor.affiliates import errors, schemas, selectors, services, signing
from stagedoor.affiliates.models import Affiliate, Commission, CommissionPlan, ReferralLink
from stagedoor.core.middleware import client_ip

router = Router(tags=["affiliates"])
CALLBACK_MAX_BYTES = 16_384


def _me(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _link_out(link: ReferralLink, clicks: int) -> dict[str, Any]:
    return {
        "id": link.pk,
        "code": link.code,
        "url": f"{settings.STAGEDOOR.base_url}/ref/{link.code}",
        "landing": link.landing,
        "label": link.label,
        "active": link.active,
        "clicks": clicks,
    }


def _affiliate_out(affiliate: Affiliate) -> dict[str, Any]:
    earnings = selectors.earnings_of(affiliate)
    board = selectors.dashboard(affiliate, days=30)
    plan = affiliate.plan
    return {
        "id": affiliate.pk,
        "kind": affiliate.kind,
        "status": affiliate.status,
        "plan": plan.name,
        "terms": plan.terms(),
        "window_days": plan.window_days,
        "attribution": plan.attribution,
        "postback_url": affiliate.postback_url,
        "earnings": earnings.__dict__,
        "totals": {"days": board.days, **board.totals},
        "links": [_link_out(link, int(getattr(link, "click_count", 0))) for link in selectors.links_of(affiliate)],
    }


def _commission_out(c: Commission) -> dict[str, Any]:
    return {
        "id": c.pk,
        "affiliate_id": c.affiliate_id,
        "referral_id": c.referral_id,
        "purchase_id": c.purchase_id,
        "kind": c.kind,
        "base_tokens": c.base_tokens,
        "tokens": c.tokens,
        "status": c.status,
        "reason": c.reason,
        "transfer_id": c.transfer_id,
        "reversal_id": c.reversal_id,
        "created_at": c.created_at,
        "matures_at": c.matures_at,
    }


def _plan_out(p: CommissionPlan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "share_bp": p.share_bp,
        "months": p.months,
        "cpa_tokens": p.cpa_tokens,
        "window_days": p.window_days,
        "attribution": p.attribution,
        "for_performers": p.for_performers,
        "terms": p.terms(),
    }


# --- a referrer's own -------------------------------------------------------------------------------------------


@router.get("/affiliates/me", response=schemas.AffiliateOut, auth=AUTH)
def me(request: HttpRequest) -> dict[str, Any]:
    """Your referral account: plan, earnings (accrued, maturing, payable, held), the last 30 days, your links."""
    return _affiliate_out(selectors.access_affiliate(_me(request)))


@router.post("/affiliates/me/links", response={201: schemas.LinkOut}, auth=AUTH)
def link_add(request: HttpRequest, payload: schemas.LinkIn) -> Status[dict[str, Any]]:
    affiliate = selectors.access_affiliate(_me(request))
    link = services.link_create(affiliate=affiliate, code=payload.code, landing=payload.landing, label=payload.label)
    return Status(201, _link_out(link, 0))


@router.put("/affiliates/me/postback", response=schemas.AffiliateOut, auth=AUTH)
def postback_set(request: HttpRequest, payload: schemas.PostbackIn) -> dict[str, Any]:
    """Where postbacks go (empty: none). The signing secret is shown on the /affiliates page."""
    affiliate = services.affiliate_postback_set(
        affiliate=selectors.access_affiliate(_me(request)),
        postback_url=payload.postback_url,
        rotate_secret=payload.rotate_secret,
    )
    return _affiliate_out(affiliate)


# --- trackers -------------------------------------------------------------------------------------------------


@router.post("/affiliates/callbacks/{affiliate_id}", response=schemas.CallbackOut, auth=None)
def callback(request: HttpRequest, affiliate_id: str) -> dict[str, Any]:
    """A tracker's callback, signed with the affiliate's postback secret (`Stagedoor-Signature`, as our postbacks).
    Unverified: 401 `affiliates.callback_refused`, nothing changed (logged)."""
    body = request.body[: CALLBACK_MAX_BYTES + 1]
    if len(body) > CALLBACK_MAX_BYTES:
        raise errors.CallbackInvalid("The callback is too large.")
    result = services.callback_receive(
        affiliate_id=affiliate_id[:40], signature=request.headers.get(signing.HEADER, ""), body=body
    )
    if result.outcome in ("refused_signature", "refused_stale"):
        raise errors.CallbackRefused(extra={"reason": result.outcome})
    if not result.accepted:
        raise errors.CallbackInvalid(result.detail)
    return {"outcome": result.outcome, "detail": result.detail}


# --- staff ------------------------------------------------------------------------------------------------------


@router.get(
    "/staff/affiliates/plans", response=list[schemas.PlanOut], auth=requires(Perm.AFFILIATES_MANAGE), tags=["staff"]
)
def staff_plans(request: HttpRequest) -> list[dict[str, Any]]:
    return [_plan_out(p) for p in selectors.plans_all()]


@router.post(
    "/staff/affiliates/plans", response={201: schemas.PlanOut}, auth=requires(Perm.AFFILIATES_MANAGE), tags=["staff"]
)
def staff_plan_create(request: HttpRequest, payload: schemas.PlanIn) -> Status[dict[str, Any]]:
    plan = services.plan_create(actor=_me(request), ip=client_ip(request), **payload.dict())
    return Status(201, _plan_out(plan))


@router.post(
    "/staff/affiliates",
    response={201: schemas.AffiliateCreatedOut},
    auth=requires(Perm.AFFILIATES_MANAGE),
    tags=["staff"],
)
def staff_affiliate_create(request: HttpRequest, payload: schemas.AffiliateCreateIn) -> Status[dict[str, Any]]:
    user = user_by_login_or_id(payload.user_id)
    if user is None:
        raise errors.AffiliateNotFound("No such user.")
    affiliate = services.affiliate_create(
        actor=_me(request),
        user=user,
        plan_id=payload.plan_id,
        postback_url=payload.postback_url,
        code=payload.code,
        ip=client_ip(request),
    )
    codes = [link.code for link in selectors.links_of(affiliate)]
    return Status(201, {"id": affiliate.pk, "user_id": user.pk, "plan_id": affiliate.plan_id, "codes": codes})


@router.get(
    "/staff/affiliates/commissions/held",
    response=list[schemas.CommissionOut],
    auth=requires(Perm.AFFILIATES_MANAGE),
    tags=["staff"],
)
def staff_held(request: HttpRequest) -> list[dict[str, Any]]:
    return [_commission_out(c) for c in selectors.commissions_held()]


@router.post(
    "/staff/affiliates/commissions/{commission_id}/release",
    response=schemas.CommissionOut,
    auth=requires(Perm.AFFILIATES_MANAGE),
    tags=["staff"],
)
def staff_release(request: HttpRequest, commission_id: str, payload: schemas.NoteIn) -> dict[str, Any]:
    c = services.commission_release(
        actor=_me(request), commission_id=commission_id, note=payload.note, ip=client_ip(request)
    )
    return _commission_out(c)


@router.post(
    "/staff/affiliates/commissions/{commission_id}/void",
    response=schemas.CommissionOut,
    auth=requires(Perm.AFFILIATES_MANAGE),
    tags=["staff"],
)
def staff_void(request: HttpRequest, commission_id: str, payload: schemas.CommissionReasonIn) -> dict[str, Any]:
    c = services.commission_void(
        actor=_me(request), commission_id=commission_id, reason=payload.reason, ip=client_ip(request)
    )
    return _commission_out(c)
