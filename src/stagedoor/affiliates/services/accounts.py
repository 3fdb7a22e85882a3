"""Commission plans, affiliates and their links: staff create them (audited); a performer opens their own
referral account under the performer plan; an affiliate adds links and sets where postbacks go."""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlparse

from django.db import IntegrityError, transaction

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.affiliates import codes, conf, errors, selectors
from stagedoor.affiliates.models import Affiliate, CommissionPlan, ReferralLink
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import PermissionDenied

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{3,31}$")
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LANDING_RE = re.compile(r"^/[A-Za-z0-9/_\-.?=&%]{0,199}$")


def _field_error(exc: type[errors.InvalidPlan] | type[errors.InvalidLink], field: str, message: str) -> Exception:
    return exc(extra={"fields": {field: [message]}})


def plan_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    share_bp: int = 0,
    months: int = 0,
    cpa_tokens: int = 0,
    window_days: int = 30,
    attribution: str = CommissionPlan.Attribution.LAST_CLICK,
    for_performers: bool = False,
    ip: str = "",
) -> CommissionPlan:
    """A commission plan (staff). A revenue share needs 1–10000 bp for 1–120 months; a CPA 1–1,000,000 tokens."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 80:
        raise _field_error(errors.InvalidPlan, "name", "Give a name of 1–80 characters.")
    if kind not in CommissionPlan.Kind.values:
        raise _field_error(errors.InvalidPlan, "kind", f"One of {', '.join(CommissionPlan.Kind.values)}.")
    if attribution not in CommissionPlan.Attribution.values:
        raise _field_error(errors.InvalidPlan, "attribution", "last_click or first_click.")
    if not 1 <= window_days <= 365:
        raise _field_error(errors.InvalidPlan, "window_days", "1–365 days.")
    if kind == CommissionPlan.Kind.REVSHARE:
        if not 1 <= share_bp <= 10_000:
            raise _field_error(errors.InvalidPlan, "share_bp", "1–10000 basis points.")
        if not 1 <= months <= 120:
            raise _field_error(errors.InvalidPlan, "months", "1–120 months.")
        cpa_tokens = 0
    else:
        if not 1 <= cpa_tokens <= 1_000_000:
            raise _field_error(errors.InvalidPlan, "cpa_tokens", "1–1000000 tokens.")
        share_bp = months = 0
    with transaction.atomic():
        if CommissionPlan.objects.filter(name__iexact=name).exists():
            raise _field_error(errors.InvalidPlan, "name", "A plan with this name exists.")
        if for_performers:  # the new plan becomes the performers' plan
            CommissionPlan.objects.filter(for_performers=True).update(for_performers=False)
        plan = CommissionPlan.objects.create(
            name=name,
            kind=kind,
            share_bp=share_bp,
            months=months,
            cpa_tokens=cpa_tokens,
            window_days=window_days,
            attribution=attribution,
            for_performers=for_performers,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action=codes.AUDIT_PLAN_CREATED,
            target=plan,
            ip=ip,
            data={
                "name": name,
                "kind": kind,
                "terms": plan.terms(),
                "window_days": window_days,
                "attribution": attribution,
                "for_performers": for_performers,
            },
        )
    return plan


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _check_postback_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or len(url) > 500:
        raise errors.InvalidPostbackUrl(extra={"fields": {"postback_url": ["An http:// or https:// URL."]}})
    return url


def link_create(*, affiliate: Affiliate, code: str = "", landing: str = "/", label: str = "") -> ReferralLink:
    """A referral link (`/ref/<code>`); a code is chosen when none is given."""
    code = (code or "").strip().lower()
    landing = (landing or "/").strip()
    label = (label or "").strip()
    if code and not CODE_RE.fullmatch(code):
        raise _field_error(
            errors.InvalidLink, "code", "4–32 lower-case letters, digits or -, starting with one of the first two."
        )
    if not LANDING_RE.fullmatch(landing) or landing.startswith("//"):
        raise _field_error(errors.InvalidLink, "landing", "A path on this site, starting with /.")
    if len(label) > 80:
        raise _field_error(errors.InvalidLink, "label", "At most 80 characters.")
    if affiliate.links.count() >= conf.MAX_LINKS:
        raise errors.TooManyLinks(extra={"maximum": conf.MAX_LINKS})
    for _ in range(5):
        try:
            with transaction.atomic():
                return ReferralLink.objects.create(
                    affiliate=affiliate, code=code or _new_code(), landing=landing, label=label
                )
        except IntegrityError:
            if code:
                raise errors.CodeTaken() from None
    raise errors.CodeTaken()  # pragma: no cover - five random codes taken in a row


def affiliate_create(
    *, actor: Any, user: Any, plan_id: str, postback_url: str = "", code: str = "", ip: str = ""
) -> Affiliate:
    """Staff: make `user` an affiliate partner on a plan, with a first link. Audited."""
    plan = selectors.plan_get(plan_id)
    url = _check_postback_url(postback_url)
    with transaction.atomic():
        if Affiliate.objects.filter(user=user).exists():
            raise errors.AlreadyAffiliate()
        affiliate = Affiliate.objects.create(
            user=user,
            kind=Affiliate.Kind.PARTNER,
            plan=plan,
            postback_url=url,
            postback_secret=secrets.token_urlsafe(32),
            created_by=actor,
        )
        link = link_create(affiliate=affiliate, code=code)
        audit_record(
            actor=actor,
            action=codes.AUDIT_AFFILIATE_CREATED,
            target=affiliate,
            ip=ip,
            data={"user": user.pk, "plan": plan.pk, "code": link.code, "postback_url": url},
        )
    return affiliate


def affiliate_update(*, actor: Any, affiliate_id: str, plan_id: str, status: str, ip: str = "") -> Affiliate:
    """Staff: change an affiliate's plan (for sign-ups from now on) or suspend them. Audited."""
    plan = selectors.plan_get(plan_id)
    if status not in Affiliate.Status.values:
        raise errors.InvalidPlan(extra={"fields": {"status": ["active or suspended."]}})
    with transaction.atomic():
        affiliate = Affiliate.objects.select_for_update().filter(pk=affiliate_id).first()
        if affiliate is None:
            raise errors.AffiliateNotFound()
        before = {"plan": affiliate.plan_id, "status": affiliate.status}
        affiliate.plan, affiliate.status = plan, status
        affiliate.save(update_fields=["plan", "status"])
        audit_record(
            actor=actor,
            action=codes.AUDIT_AFFILIATE_UPDATED,
            target=affiliate,
            ip=ip,
            data={"before": before, "after": {"plan": plan.pk, "status": status}},
        )
    return affiliate


def performer_referrals_open(*, actor: Any) -> Affiliate:
    """A performer opens their own referral account (to refer performers) under the performers' plan."""
    if not role_has(actor.role, Perm.ROOM_MANAGE):
        raise PermissionDenied("Only performers can open a performer referral account.")
    plan = selectors.performer_plan()
    if plan is None:
        raise errors.NoPerformerPlan()
    try:
        with transaction.atomic():
            affiliate = Affiliate.objects.create(
                user=actor, kind=Affiliate.Kind.PERFORMER, plan=plan, postback_secret=secrets.token_urlsafe(32)
            )
            link_create(affiliate=affiliate, landing="/signup")
    except IntegrityError:
        raise errors.AlreadyAffiliate() from None
    return affiliate


def affiliate_postback_set(*, affiliate: Affiliate, postback_url: str, rotate_secret: bool = False) -> Affiliate:
    """The affiliate sets where postbacks go (empty: none), and may rotate the secret they are signed with."""
    affiliate.postback_url = _check_postback_url(postback_url)
    fields = ["postback_url"]
    if rotate_secret or not affiliate.postback_secret:
        affiliate.postback_secret = secrets.token_urlsafe(32)
        fields.append("postback_secret")
    affiliate.save(update_fields=fields)
    return affiliate
