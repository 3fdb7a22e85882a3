"""Commissions: earned on a referred viewer's purchase (the wallet's `wallet.credited` event), accrued into the
affiliate's payables in the ledger, voided on a refund or chargeback (the wallet's `wallet.purchase_reversed`),
held by the fraud rules, released or voided by staff (audited).

Money moves only through the wallet's idempotent services, keyed by the commission: accrual
`affcom.<id>`, reversal `affcomrev.<id>` — so a replayed event or a double click never moves money twice. Every
change of a commission runs under a lock on its row.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.affiliates import codes, conf, errors, events, selectors
from stagedoor.affiliates.models import Affiliate, Commission, CommissionPlan, Referral
from stagedoor.affiliates.services.postbacks import postback_queue
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.outbox import outbox_publish
from stagedoor.wallet import services as wallet

S = Commission.Status
REVERSAL_REASONS = {"purchase_refund": "purchase refunded", "chargeback": "purchase charged back"}


def add_months(at: datetime, months: int) -> datetime:
    """The same moment `months` calendar months later (the 31st becomes the month's last day)."""
    month_index = at.month - 1 + months
    year, month = at.year + month_index // 12, month_index % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def _publish(commission: Commission, step: str) -> None:
    outbox_publish(
        topic=events.COMMISSION_CHANGED,
        payload={
            "commission_id": commission.pk,
            "affiliate_id": commission.affiliate_id,
            "status": commission.status,
            "step": step,
        },
    )
    postback_queue(
        affiliate=commission.affiliate,
        event=f"commission.{step}",
        key=commission.pk,
        data={
            "commission_id": commission.pk,
            "referral_id": commission.referral_id,
            "sub_id": commission.referral.click.sub_id if commission.referral.click is not None else "",
            "kind": commission.kind,
            "status": commission.status,
            "tokens": commission.tokens,
            "base_tokens": commission.base_tokens,
            "matures_at": commission.matures_at.isoformat(),
        },
    )


def _accrue(commission: Commission) -> None:
    transfer = wallet.affiliate_commission_accrue(
        affiliate=commission.affiliate.user,
        tokens=commission.tokens,
        source=f"purchase:{commission.purchase_id}",
        idempotency_key=f"affcom.{commission.pk}",
    )
    commission.transfer_id = transfer.pk


def _reverse(commission: Commission, reason: str) -> None:
    if commission.transfer_id and not commission.reversal_id:
        reversal = wallet.affiliate_commission_reverse(
            accrual_id=commission.transfer_id, reason=reason[:200], idempotency_key=f"affcomrev.{commission.pk}"
        )
        commission.reversal_id = reversal.pk


def commission_on_purchase(
    *, user_id: str, purchase_id: str, tokens: int, transfer_id: str, at: datetime | None = None
) -> Commission | None:
    """What a credited purchase earns the buyer's referrer under the plan of their sign-up (None: nothing)."""
    referral = selectors.referral_of(user_id)
    if referral is None:
        return None
    at = at or timezone.now()
    plan = referral.plan
    if plan.kind == CommissionPlan.Kind.REVSHARE:
        if at > add_months(referral.signed_up_at, plan.months):
            return None
        amount = tokens * plan.share_bp // 10_000
    else:
        if Commission.objects.filter(referral=referral, kind=CommissionPlan.Kind.CPA).exists():
            return None
        amount = plan.cpa_tokens
    if amount < 1:
        return None
    existing = Commission.objects.filter(referral=referral, purchase_id=purchase_id).first()
    if existing is not None:
        return existing
    affiliate = referral.affiliate
    if selectors.purchase_reversed(transfer_id):
        status, reason = S.VOIDED, "the purchase was reversed before its commission"
    elif referral.hold:
        status, reason = S.HELD, Referral.Hold(referral.hold).label
    elif affiliate.status != Affiliate.Status.ACTIVE:
        status, reason = S.HELD, "the affiliate is suspended"
    else:
        status, reason = S.ACCRUED, ""
    now = timezone.now()
    try:
        with transaction.atomic():
            commission = Commission.objects.create(
                affiliate=affiliate,
                referral=referral,
                purchase_id=purchase_id,
                kind=plan.kind,
                base_tokens=tokens,
                tokens=amount,
                status=status,
                reason=reason,
                created_at=now,
                matures_at=now + timedelta(days=conf.hold_days()),
            )
            if status == S.ACCRUED:
                _accrue(commission)
                commission.save(update_fields=["transfer_id"])
            if status != S.VOIDED:
                _publish(commission, "accrued" if status == S.ACCRUED else "held")
    except IntegrityError:  # the same purchase, or a second CPA, handled concurrently
        return Commission.objects.filter(referral=referral, purchase_id=purchase_id).first()
    return commission


def _locked(commission_id: str) -> Commission:
    found = (
        Commission.objects.select_for_update(of=("self",))
        .select_related("affiliate", "affiliate__user", "referral", "referral__click")
        .filter(pk=commission_id)
        .first()
    )
    if found is None:
        raise errors.CommissionNotFound()
    return found


def commission_hold(*, commission_id: str, reason: str) -> Commission:
    """Hold an accrued commission (a fraud rule, a tracker's dispute). It stays in the ledger, not payable."""
    with transaction.atomic():
        commission = _locked(commission_id)
        if commission.status != S.ACCRUED:
            return commission
        commission.status, commission.reason = S.HELD, reason[:200]
        commission.save(update_fields=["status", "reason"])
        _publish(commission, "held")
    return commission


def referrals_hold(referrals: list[Referral], hold: str) -> None:
    """Set a fraud hold on referrals (their future commissions are held) and hold their accrued commissions."""
    for referral in referrals:
        if not referral.hold:
            Referral.objects.filter(pk=referral.pk, hold="").update(hold=hold)
        for commission_id in referral.commissions.filter(status=S.ACCRUED).values_list("pk", flat=True):
            commission_hold(commission_id=commission_id, reason=Referral.Hold(hold).label)


def _void(commission: Commission, *, reason: str, actor: Any) -> None:
    _reverse(commission, reason)
    commission.status, commission.reason = S.VOIDED, reason[:200]
    commission.decided_by = actor if actor is not None and getattr(actor, "pk", None) else None
    commission.decided_at = timezone.now()
    commission.save(update_fields=["status", "reason", "reversal_id", "decided_by", "decided_at"])
    _publish(commission, "voided")


def purchase_reversal_apply(*, user_id: str, purchase_id: str, kind: str) -> Commission | None:
    """A refund or chargeback voids the purchase's commission; a chargeback also holds the referral (its future
    commissions) and its other accrued commissions."""
    commission = selectors.commission_for_purchase(purchase_id)
    if commission is not None:
        with transaction.atomic():
            commission = _locked(commission.pk)
            if commission.status != S.VOIDED:
                _void(commission, reason=REVERSAL_REASONS.get(kind, "purchase reversed"), actor=None)
    if kind == "chargeback":
        referral = selectors.referral_of(user_id)
        if referral is not None:
            referrals_hold([referral], Referral.Hold.CHARGEBACK)
    return commission


def _check_note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if (required and not note) or len(note) > 200:
        raise ValidationFailed.of_field("reason", "Give a reason of 1–200 characters." if required else "At most 200.")
    return note


def commission_release(*, actor: Any, commission_id: str, note: str = "", ip: str = "") -> Commission:
    """Staff: a held commission becomes payable (accrued into the ledger now if it never was). Audited."""
    note = _check_note(note, required=False)
    with transaction.atomic():
        commission = _locked(commission_id)
        if commission.status != S.HELD:
            raise errors.CommissionNotHeld(extra={"status": commission.status})
        if not commission.transfer_id:
            _accrue(commission)
        commission.status, commission.reason = S.ACCRUED, ""
        commission.decided_by, commission.decided_at = actor, timezone.now()
        commission.save(update_fields=["status", "reason", "transfer_id", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action=codes.AUDIT_COMMISSION_RELEASED,
            target=commission,
            ip=ip,
            data={"tokens": commission.tokens, "affiliate": commission.affiliate_id, "note": note},
        )
        _publish(commission, "released")
    return commission


def commission_void(*, actor: Any, commission_id: str, reason: str, ip: str = "") -> Commission:
    """Staff: a commission is never paid (its accrual, if any, reversed in the ledger). Audited."""
    reason = _check_note(reason, required=True)
    with transaction.atomic():
        commission = _locked(commission_id)
        if commission.status == S.VOIDED:
            raise errors.CommissionVoided()
        _void(commission, reason=reason, actor=actor)
        audit_record(
            actor=actor,
            action=codes.AUDIT_COMMISSION_VOIDED,
            target=commission,
            ip=ip,
            data={"tokens": commission.tokens, "affiliate": commission.affiliate_id, "reason": reason},
        )
    return commission
