"""Payouts' check on the core PAYEE gate (registered from apps.ready): a performer whose sanctions match was
confirmed by staff is credited nothing, ever (an open, unreviewed match holds the payout run instead; see
`selectors.payout_blockers`)."""

from __future__ import annotations

from stagedoor.core.gates import PAYEE, GateContext, Refusal, gate_check
from stagedoor.payouts.selectors import has_confirmed_match


@gate_check(PAYEE, name="payouts.sanctions_clear")
def sanctions_clear(ctx: GateContext) -> Refusal | None:
    if ctx.user is None or not has_confirmed_match(ctx.user.pk):
        return None
    return Refusal("payouts.sanctions_confirmed", "This performer cannot receive payments.")
