"""Commission rules (finance staff) and the monthly earnings-tier job. Writes only; resolution is
`selectors.commission.commission_for`.

A rule is never edited: changing a rate is ending the old rule (`commission_rule_end`) and creating a new
one. A new rule starts now or later, never in the past, and a rule ends now or later — so every split
already written keeps the rule it recorded, and that rule still says what it said.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.ids import new_id
from stagedoor.wallet import codes, errors
from stagedoor.wallet.models import (
    AccountKind,
    CommissionKind,
    CommissionProduct,
    CommissionRule,
    CommissionState,
    LedgerEntry,
    PerformerTerms,
    PerformerTier,
    TransferKind,
)
from stagedoor.wallet.selectors.commission import (
    commission_invalidate,
    period_start_of,
    previous_period_start,
    resolve,
    rule_row,
)

# A created rule may start this little before "now" (the clock moved while the request was handled).
CLOCK_SLACK = timedelta(seconds=5)
MAX_MIN_EARNED = 10**12
MAX_PROMO_DAYS = 3650
# Transfers that earn (or take back) a performer's earnings; payouts and other moves are not "earned".
EARNING_KINDS = (
    TransferKind.TIP,
    TransferKind.CHARGE,
    TransferKind.HOLD_CAPTURE,
    TransferKind.TIP_REFUND,
    TransferKind.CHARGEBACK,
)


def _bump() -> None:
    CommissionState.objects.update_or_create(pk=1, defaults={"version": new_id()})
    commission_invalidate()


def _rule_data(rule: CommissionRule) -> dict[str, Any]:
    return {
        "kind": rule.kind,
        "share_bp": rule.share_bp,
        "product": rule.product,
        "min_earned": rule.min_earned,
        "new_within_days": rule.new_within_days,
        "performer": rule.performer_id,
        "valid_from": rule.valid_from.isoformat(),
        "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
        "note": rule.note,
    }


def _int_in(value: Any, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValidationFailed.of_field(name, f"Use a whole number from {lo} to {hi}.")
    return value


def _unused(name: str, value: Any, kind: str) -> None:
    if value not in (None, ""):
        raise ValidationFailed.of_field(name, f"A {kind} rule does not take this field.")


def commission_rule_create(
    *,
    actor: User,
    kind: str,
    share_bp: int,
    product: str = "",
    min_earned: int | None = None,
    new_within_days: int | None = None,
    performer: User | None = None,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
    note: str = "",
    ip: str = "",
) -> CommissionRule:
    """A new rule, valid from `valid_from` (default: now; never in the past) until `valid_to` (open-ended)."""
    now = timezone.now()
    if kind not in CommissionKind.values:
        raise ValidationFailed.of_field("kind", f"Use one of: {', '.join(CommissionKind.values)}.")
    share_bp = _int_in(share_bp, "share_bp", 0, 10_000)
    product = product or ""
    if product not in CommissionProduct.values:
        raise ValidationFailed.of_field("product", "Use tips, shows, fan_clubs, messages or leave it empty (all).")
    if kind == CommissionKind.PRODUCT and not product:
        raise ValidationFailed.of_field("product", "A product rule names its product.")
    if kind == CommissionKind.TIER:
        min_earned = _int_in(min_earned, "min_earned", 0, MAX_MIN_EARNED)
    else:
        _unused("min_earned", min_earned, kind)
    if kind == CommissionKind.PROMO_NEW_PERFORMER:
        new_within_days = _int_in(new_within_days, "new_within_days", 1, MAX_PROMO_DAYS)
    else:
        _unused("new_within_days", new_within_days, kind)
    if kind == CommissionKind.PERFORMER_OVERRIDE:
        if performer is None:
            raise ValidationFailed.of_field("performer_id", "An override names its performer.")
        if performer.role != Role.PERFORMER:
            raise errors.NotAPerformer()
    elif performer is not None:
        raise ValidationFailed.of_field("performer_id", "Only an override names a performer.")
    valid_from = valid_from or now
    if valid_from < now - CLOCK_SLACK:
        raise errors.CommissionInThePast(extra={"field": "valid_from"})
    valid_from = max(valid_from, now)
    if valid_to is not None and valid_to <= valid_from:
        raise ValidationFailed.of_field("valid_to", "End a rule after it starts.")
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationFailed.of_field("note", "Use at most 200 characters.")
    rule = CommissionRule(
        id=new_id(),
        kind=kind,
        share_bp=share_bp,
        product=product,
        min_earned=min_earned,
        new_within_days=new_within_days,
        performer=performer,
        valid_from=valid_from,
        valid_to=valid_to,
        note=note,
        created_by=actor,
        created_at=now,
    )
    with transaction.atomic():
        rule.save(force_insert=True)
        _bump()
        audit_record(actor=actor, action=codes.AUDIT_COMMISSION_CREATED, target=rule, ip=ip, data=_rule_data(rule))
    return rule


def commission_rule_end(*, actor: User, rule_id: str, at: datetime | None = None, ip: str = "") -> CommissionRule:
    """End a rule at `at` (default: now; never in the past). A rule that has not started yet ends before it
    ever applies. Ending an ended rule is RuleEnded."""
    now = timezone.now()
    at = at or now
    if at < now - CLOCK_SLACK:
        raise errors.CommissionInThePast(extra={"field": "valid_to"})
    at = max(at, now)
    with transaction.atomic():
        rule = CommissionRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise errors.CommissionRuleNotFound()
        if rule.valid_to is not None and rule.valid_to <= now:
            raise errors.CommissionRuleEnded()
        before = rule.valid_to
        rule.valid_to = max(at, rule.valid_from)
        rule.save(update_fields=["valid_to"])
        _bump()
        audit_record(
            actor=actor,
            action=codes.AUDIT_COMMISSION_ENDED,
            target=rule,
            ip=ip,
            data={"valid_to": rule.valid_to.isoformat(), "before": before.isoformat() if before else None},
        )
    return rule


def performer_terms_set(*, actor: User, performer: User, share_bp: int, ip: str = "") -> int:
    """The staff terms API: the performer's own share for every product from now on — ends their current
    all-products override and creates a new one; `PerformerTerms` keeps the number for readers."""
    share_bp = _int_in(share_bp, "share_bp", 0, 10_000)
    if performer.role != Role.PERFORMER:
        raise errors.NotAPerformer()
    with transaction.atomic():
        now = timezone.now()
        current = CommissionRule.objects.filter(
            kind=CommissionKind.PERFORMER_OVERRIDE, performer=performer, product="", valid_from__lte=now
        ).exclude(valid_to__lte=now)
        for rule in current.select_for_update():
            commission_rule_end(actor=actor, rule_id=rule.pk, at=now, ip=ip)
        rule = commission_rule_create(
            actor=actor,
            kind=CommissionKind.PERFORMER_OVERRIDE,
            share_bp=share_bp,
            performer=performer,
            valid_from=now,
            note="performer terms",
            ip=ip,
        )
        PerformerTerms.objects.update_or_create(performer=performer, defaults={"share_bp": share_bp})
        audit_record(
            actor=actor,
            action=codes.AUDIT_TERMS_SET,
            target=performer,
            ip=ip,
            data={"share_bp": share_bp, "rule": rule.pk},
        )
    return share_bp


def commission_tiers_compute(*, period_start: datetime | None = None) -> int:
    """The tier job for the month starting `period_start` (default: the current UTC month): each performer's
    tokens earned in the month before, stored once as PerformerTier. Idempotent: performers already stored
    for that month are left alone. Returns how many rows it wrote."""
    start = period_start_of(period_start or timezone.now())
    previous = previous_period_start(start)
    rows = (
        LedgerEntry.objects.filter(
            account__kind=AccountKind.PERFORMER_EARNINGS,
            created_at__gte=previous,
            created_at__lt=start,
            transfer__kind__in=EARNING_KINDS,
        )
        .values("account__owner_id")
        .annotate(earned=Sum("amount"))
        .order_by()
    )
    tier_rules = CommissionRule.objects.filter(kind=CommissionKind.TIER, valid_from__lte=start).exclude(
        valid_to__lte=start
    )
    compiled = [rule_row(r) for r in tier_rules]
    done = set(PerformerTier.objects.filter(period_start=start).values_list("performer_id", flat=True))
    new: list[PerformerTier] = []
    for row in rows:
        performer_id, earned = row["account__owner_id"], int(row["earned"] or 0)
        if performer_id in done:
            continue
        reached = resolve(
            compiled,
            performer_id=performer_id,
            product="",
            at=start,
            joined=lambda: None,
            earned=lambda e=earned: e,
        )
        new.append(
            PerformerTier(
                performer_id=performer_id,
                period_start=start,
                earned=earned,
                rule_id=reached.id if reached is not None else None,
            )
        )
    with transaction.atomic():
        PerformerTier.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        if new:
            _bump()
    return len(new)
