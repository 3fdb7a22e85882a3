"""Staff console sections of payouts (registered from apps.ready): sanctions screening and payout runs."""

from stagedoor.payouts.console import runs, sanctions

__all__ = ["runs", "sanctions"]
