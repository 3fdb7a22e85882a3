"""Velocity and anomaly rules: which payouts of a run are held for a person to look at, and why.

Read-only, for many performers at once (a run asks for every payee in a few grouped queries):

- `payouts.review_spike`: the period's earnings are over `spike_factor` times the mean of the four periods before
  (a first big period counts too: the mean is then nought);
- `payouts.review_shared_card`: `shared_card_payers` or more different accounts paying this performer bought their
  tokens with one card (the processor's fingerprint, kept as a keyed hash);
- `payouts.review_new_accounts`: more than half of the period's earnings came from accounts created at most
  `new_account_days` before the period began (or during it).

Each rule only looks at performers earning at least `review_min_tokens` in the period. Payers are those of tips
and charges (a show minute captured from a hold is counted for the spike rule, not for the payer rules).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, Sum

from stagedoor.payments.models import Purchase
from stagedoor.payouts import conf
from stagedoor.payouts.selectors import Blocker
from stagedoor.wallet.models import AccountKind, LedgerEntry, TransferKind
from stagedoor.wallet.selectors import EARNING_KINDS

LOOKBACK_PERIODS = 4


def _earned(ids: list[str], start: datetime, end: datetime) -> dict[str, int]:
    rows = (
        LedgerEntry.objects.filter(
            account__kind=AccountKind.PERFORMER_EARNINGS,
            account__owner_id__in=ids,
            created_at__gte=start,
            created_at__lt=end,
            amount__gt=0,
            transfer__kind__in=EARNING_KINDS,
        )
        .values("account__owner_id")
        .annotate(s=Sum("amount"))
        .values_list("account__owner_id", "s")
    )
    return {str(pid): int(total or 0) for pid, total in rows}


def _payers(ids: list[str], start: datetime, end: datetime) -> dict[str, dict[str, tuple[int, datetime]]]:
    """performer → payer → (tokens the performer earned from them in the period, payer's sign-up time)."""
    rows = (
        LedgerEntry.objects.filter(
            account__kind=AccountKind.VIEWER_WALLET,
            amount__lt=0,
            created_at__gte=start,
            created_at__lt=end,
            transfer__kind__in=[TransferKind.TIP, TransferKind.CHARGE],
        )
        .filter(
            Q(transfer__entries__account__kind=AccountKind.PERFORMER_EARNINGS)
            & Q(transfer__entries__account__owner_id__in=ids)
        )
        .values("transfer__entries__account__owner_id", "account__owner_id", "account__owner__date_joined")
        .annotate(s=Sum("transfer__entries__amount"))
        .values_list("transfer__entries__account__owner_id", "account__owner_id", "account__owner__date_joined", "s")
    )
    result: dict[str, dict[str, tuple[int, datetime]]] = defaultdict(dict)
    for performer, payer, joined, total in rows:
        result[str(performer)][str(payer)] = (int(total or 0), joined)
    return result


def review_flags(performer_ids: Collection[Any], *, start: datetime, end: datetime) -> dict[str, list[Blocker]]:
    """performer id → the rules their period [start, end) trips (absent: none)."""
    floor = conf.integer("review_min_tokens")
    ids = [str(pk) for pk in performer_ids]
    earned = _earned(ids, start, end)
    watched = [pid for pid in ids if earned.get(pid, 0) >= floor and earned.get(pid, 0) > 0]
    if not watched:
        return {}
    flags: dict[str, list[Blocker]] = defaultdict(list)
    span = end - start
    before = _earned(watched, start - LOOKBACK_PERIODS * span, start)
    factor = conf.integer("spike_factor")
    for pid in watched:
        mean = before.get(pid, 0) / LOOKBACK_PERIODS
        if earned[pid] > factor * mean:
            flags[pid].append(
                Blocker(
                    "payouts.review_spike",
                    f"Earned {earned[pid]} tokens this period against {mean:.0f} a period before "
                    f"(over {factor}× the mean of the {LOOKBACK_PERIODS} periods before).",
                )
            )
    payers = _payers(watched, start, end)
    new_since = start - timedelta(days=conf.integer("new_account_days"))
    all_payers = {payer for by_payer in payers.values() for payer in by_payer}
    cards: dict[str, set[str]] = defaultdict(set)
    for buyer, card in (
        Purchase.objects.filter(buyer_id__in=list(all_payers), status=Purchase.Status.COMPLETED)
        .exclude(card_fingerprint="")
        .values_list("buyer_id", "card_fingerprint")
        .distinct()
    ):
        cards[str(buyer)].add(card)
    shared = conf.integer("shared_card_payers")
    for pid, by_payer in payers.items():
        by_card: dict[str, set[str]] = defaultdict(set)
        for payer in by_payer:
            for card in cards.get(payer, ()):
                by_card[card].add(payer)
        most = max((len(p) for p in by_card.values()), default=0)
        if most >= shared:
            flags[pid].append(
                Blocker(
                    "payouts.review_shared_card",
                    f"{most} different accounts paying this performer bought their tokens with the same card.",
                )
            )
        total = sum(amount for amount, _ in by_payer.values())
        fresh = sum(amount for amount, joined in by_payer.values() if joined >= new_since)
        if total and fresh * 2 > total:
            flags[pid].append(
                Blocker(
                    "payouts.review_new_accounts",
                    f"{fresh} of {total} tokens paid by accounts created in the last "
                    f"{conf.integer('new_account_days')} days before the period or during it.",
                )
            )
    return dict(flags)
