"""Which share a performer gets for a sale at a given time: `commission_for`, read from an in-process cache.

Precedence (strongest first): performer override > promotion for new performers > product rate > earnings
tier > default rate; no rule at all → `STAGEDOOR_WALLET_PERFORMER_SHARE_BP` (recorded rule ""). A rule
applies at `at` when `valid_from <= at < valid_to` and its product is "" (all) or the sale's product. Within
one kind: a rule naming the product beats an all-products rule, then (tiers only) the highest `min_earned`
reached, then the most recent `valid_from`, then the most recent `created_at`.

Cache: every rule not ended more than a day before loading, plus per-performer lookups (join date, last
month's earnings) made only when a promotion or tier rule could apply. The key is `CommissionState.version`,
a random stamp every rule write and tier job replaces: checked at most once per `RECHECK_SECONDS` (so a rule
written in another process reaches this one within that time — schedule a change with a future
`valid_from` to make it exact to the second), and on every call in a process that wrote a rule whose
transaction has not committed yet (a rolled-back write never stays cached).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.wallet import conf
from stagedoor.wallet.models import (
    CommissionKind,
    CommissionProduct,
    CommissionRule,
    CommissionState,
    PerformerTier,
)

RECHECK_SECONDS = 1.0
LOAD_HORIZON = timedelta(days=1)

# `data["item"]` of a charge or hold (shows, fans) → the product its rules are set for. Unknown items get
# only all-products rules.
ITEM_PRODUCTS: dict[str, str] = {
    "tip": CommissionProduct.TIPS,
    "show_minute": CommissionProduct.SHOWS,
    "show_ticket": CommissionProduct.SHOWS,
    "show_hold": CommissionProduct.SHOWS,
    "fanclub": CommissionProduct.FAN_CLUBS,
    "message": CommissionProduct.MESSAGES,
    "unlock": CommissionProduct.MESSAGES,
}

RANK = {
    CommissionKind.PERFORMER_OVERRIDE: 0,
    CommissionKind.PROMO_NEW_PERFORMER: 1,
    CommissionKind.PRODUCT: 2,
    CommissionKind.TIER: 3,
    CommissionKind.DEFAULT: 4,
}


@dataclass(frozen=True)
class Commission:
    share_bp: int
    rule_id: str  # "" when no rule applied (the configured default)


@dataclass(frozen=True)
class _Rule:
    id: str
    kind: str
    share_bp: int
    product: str
    min_earned: int
    new_within_days: int
    performer_id: Any
    valid_from: datetime
    valid_to: datetime | None
    created_at: datetime

    def valid_at(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)


@dataclass
class _Cache:
    version: str | None
    floor: datetime  # rules ended before this were not loaded
    rules: list[_Rule]
    checked: float
    joined: dict[Any, datetime | None] = field(default_factory=dict)
    earned: dict[tuple[Any, datetime], int] = field(default_factory=dict)


_cache: _Cache | None = None
_unsettled = False  # this process wrote a rule whose transaction has not committed


def product_of_item(item: str) -> str:
    return ITEM_PRODUCTS.get(item, "")


def period_start_of(at: datetime) -> datetime:
    """The calendar month (UTC) holding `at`: its first instant."""
    return at.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def previous_period_start(period_start: datetime) -> datetime:
    return (period_start - timedelta(days=1)).replace(day=1)


def _version() -> str | None:
    return CommissionState.objects.filter(pk=1).values_list("version", flat=True).first()


def rule_row(rule: CommissionRule) -> _Rule:
    return _Rule(
        id=rule.id,
        kind=rule.kind,
        share_bp=rule.share_bp,
        product=rule.product,
        min_earned=rule.min_earned or 0,
        new_within_days=rule.new_within_days or 0,
        performer_id=rule.performer_id,
        valid_from=rule.valid_from,
        valid_to=rule.valid_to,
        created_at=rule.created_at,
    )


def _load(floor: datetime) -> list[_Rule]:
    rows = CommissionRule.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=floor))
    return [rule_row(r) for r in rows]


def _current() -> _Cache:
    global _cache, _unsettled
    recheck = float(getattr(settings, "STAGEDOOR_WALLET_COMMISSION_RECHECK_SECONDS", RECHECK_SECONDS))
    now = time.monotonic()
    cache = _cache
    if cache is not None and not _unsettled and now - cache.checked < recheck:
        return cache
    version = _version()
    if _unsettled and not connection.in_atomic_block:
        _unsettled = False  # whatever this process wrote has committed or rolled back: the stamp is the truth
    if cache is not None and cache.version == version:
        cache.checked = now
        return cache
    floor = timezone.now() - LOAD_HORIZON
    cache = _Cache(version=version, floor=floor, rules=_load(floor), checked=now)
    _cache = cache
    return cache


def commission_invalidate() -> None:
    """Called by every rule write and tier job (inside its transaction): forget the cache now, and keep
    checking the stamp on every call until the write commits."""
    global _cache, _unsettled
    _cache = None
    if connection.in_atomic_block:
        _unsettled = True
        transaction.on_commit(_settled)


def _settled() -> None:
    global _unsettled
    if not connection.in_atomic_block:  # a test's captured callbacks run inside its (rolled-back) transaction
        _unsettled = False


def commission_cache_reset() -> None:
    """Tests: start from nothing."""
    global _cache, _unsettled
    _cache = None
    _unsettled = False


def _joined(cache: _Cache, performer_id: Any, joined: datetime | None) -> datetime | None:
    if joined is not None:
        return joined
    if performer_id not in cache.joined:
        cache.joined[performer_id] = User.objects.filter(pk=performer_id).values_list("date_joined", flat=True).first()
    return cache.joined[performer_id]


def performer_earned(performer_id: Any, period_start: datetime) -> int:
    """Tokens the tier job found a performer earned in the month before `period_start` (0 if none)."""
    earned = (
        PerformerTier.objects.filter(performer_id=performer_id, period_start=period_start)
        .values_list("earned", flat=True)
        .first()
    )
    return int(earned or 0)


def _earned(cache: _Cache, performer_id: Any, at: datetime) -> int:
    key = (performer_id, period_start_of(at))
    if key not in cache.earned:
        cache.earned[key] = performer_earned(performer_id, key[1])
    return cache.earned[key]


def _best(rules: list[_Rule], product: str) -> _Rule | None:
    if not rules:
        return None
    return max(rules, key=lambda r: (r.product == product and product != "", r.min_earned, r.valid_from, r.created_at))


def resolve(
    rules: list[_Rule],
    *,
    performer_id: Any,
    product: str,
    at: datetime,
    joined: Any,
    earned: Any,
) -> _Rule | None:
    """The rule that applies (pure but for the two lookups `joined()` and `earned()`, called only if needed)."""
    by_kind: dict[str, list[_Rule]] = {}
    for rule in rules:
        if rule.product not in ("", product) or not rule.valid_at(at):
            continue
        if rule.kind == CommissionKind.PERFORMER_OVERRIDE and str(rule.performer_id) != str(performer_id):
            continue
        if rule.kind == CommissionKind.PRODUCT and not product:
            continue
        by_kind.setdefault(rule.kind, []).append(rule)
    for kind in sorted(by_kind, key=lambda k: RANK[CommissionKind(k)]):
        candidates = by_kind[kind]
        if kind == CommissionKind.PROMO_NEW_PERFORMER:
            since: datetime | None = joined()
            if since is None:
                continue
            candidates = [r for r in candidates if at < since + timedelta(days=r.new_within_days)]
        elif kind == CommissionKind.TIER:
            reached = earned()
            candidates = [r for r in candidates if r.min_earned <= reached]
        best = _best(candidates, product)
        if best is not None:
            return best
    return None


def commission_for(performer_id: Any, product: str, at: datetime, *, joined: datetime | None = None) -> Commission:
    """(share in basis points, id of the rule that produced it or "") for a sale of `product` by `performer_id`
    at `at`. `joined` (the performer's `date_joined`) saves a lookup when a promotion could apply."""
    cache = _current()
    if at < cache.floor:  # long past: read the rules of that time (never the hot path)
        rules = [rule_row(r) for r in CommissionRule.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at))]
    else:
        rules = cache.rules
    rule = resolve(
        rules,
        performer_id=performer_id,
        product=product,
        at=at,
        joined=lambda: _joined(cache, performer_id, joined),
        earned=lambda: _earned(cache, performer_id, at),
    )
    if rule is None:
        return Commission(share_bp=conf.performer_share_bp(), rule_id="")
    return Commission(share_bp=rule.share_bp, rule_id=rule.id)


def commission_rules(*, include_ended: bool = True) -> Any:
    """Rules for staff, newest first."""
    rows = CommissionRule.objects.select_related("performer", "created_by")
    if not include_ended:
        rows = rows.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=timezone.now()))
    return rows.order_by("-created_at", "-id")


def commission_rule_get(rule_id: str) -> CommissionRule | None:
    return CommissionRule.objects.select_related("performer", "created_by").filter(pk=rule_id).first()
