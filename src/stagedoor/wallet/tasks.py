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
