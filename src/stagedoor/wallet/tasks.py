"""Wallet jobs (balance roll-ups). All idempotent: safe to run twice."""

from __future__ import annotations

from stagedoor.core import jobs
from stagedoor.wallet.ledger import account_rollup, account_rollup_all


@jobs.job("wallet.rollup")
def rollup(account_id: str) -> int:
    """Fold a hot account's pending deltas into its balance (scheduled by writes, 1 in ROLLUP_EVERY)."""
    total = 0
    while (n := account_rollup(account_id=account_id)) > 0:
        total += n
    return total


@jobs.job("wallet.rollup_all")
def rollup_all() -> int:
    """For beat / cron: fold every pending delta."""
    return account_rollup_all()


@jobs.job("wallet.commission_tiers")
def commission_tiers() -> int:
    """For beat / cron at 00:00 UTC on the 1st: store last month's earnings per performer (idempotent)."""
    from stagedoor.wallet.services import commission_tiers_compute

    return commission_tiers_compute()
