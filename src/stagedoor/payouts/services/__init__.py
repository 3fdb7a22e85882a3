"""Every write of payouts: payout methods (versioned, in the performer's own name) and sanctions screening."""

from stagedoor.payouts.services.methods import payout_method_notify, payout_method_set
from stagedoor.payouts.services.sanctions import (
    LoadResult,
    performer_screen,
    sanctions_ensure_list,
    sanctions_list_load,
    sanctions_screen_everyone,
    screening_case_decide,
)

__all__ = [
    "LoadResult",
    "payout_method_notify",
    "payout_method_set",
    "performer_screen",
    "sanctions_ensure_list",
    "sanctions_list_load",
    "sanctions_screen_everyone",
    "screening_case_decide",
]
