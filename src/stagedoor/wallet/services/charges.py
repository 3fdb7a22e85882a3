"""Paying a performer for something other than a tip, and holds.

Shows, fan clubs and paid messages live in apps above the wallet; they move money only through these three
calls, each idempotent by a key the caller scopes to what is being paid for (`show:<participant>:<minute>`,
`fanclub:<membership>:<period>`…), so a retry, a replayed job or a restarted biller can never pay twice:

- `charge`: the payer's wallet → the performer's earnings (their share) and platform revenue (the rest);
- `hold_place`: the payer's wallet → the holds account (escrow), e.g. a private show's first minute;
- `hold_settle`: the hold, once: `capture` tokens to the performer (split like a charge), the rest back to the
  payer's wallet. A second settle of the same hold replays the first (or is a conflict if it asks otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.core.gates import PAYEE, GateContext, gate_refusal
from stagedoor.wallet import errors, ledger
from stagedoor.wallet.models import AccountKind, LedgerTransfer, TransferKind
from stagedoor.wallet.selectors.commission import Commission, commission_for, product_of_item
from stagedoor.wallet.services.tips import split


@dataclass(frozen=True)
class Paid:
    transfer: LedgerTransfer
    amount: int
    performer_amount: int
    platform_amount: int
    written: bool  # False: an earlier call with this key already paid (a replay)


def _check_payee(payer: User, payee: User) -> None:
    if payee.role != Role.PERFORMER or not payee.is_active:
        raise errors.NotAPerformer()
    if payer.pk == payee.pk:
        raise errors.TipToSelf("You cannot pay yourself.")
    refusal = gate_refusal(PAYEE, GateContext(user=payee))
    if refusal is not None:
        raise errors.PayeeRefused(refusal.message, extra={"reason": refusal.code})


def _paid(transfer: LedgerTransfer, *, written: bool) -> Paid:
    data = transfer.data or {}
    return Paid(
        transfer=transfer,
        amount=int(data.get("amount", 0)),
        performer_amount=int(data.get("performer_amount", 0)),
        platform_amount=int(data.get("platform_amount", 0)),
        written=written,
    )


def _split_legs(
    payee_id: Any, amount: int, *, item: str, joined: datetime | None = None
) -> tuple[list[ledger.Leg], int, int, Commission]:
    """The split of `amount` by the commission rule valid now for `item`'s product (and that rule)."""
    commission = commission_for(payee_id, product_of_item(item), timezone.now(), joined=joined)
    performer_amount, platform_amount = split(amount, commission.share_bp)
    earnings, platform = ledger.accounts_for(
        [(AccountKind.PERFORMER_EARNINGS, payee_id), (AccountKind.PLATFORM_REVENUE, None)]
    )
    legs = []
    if performer_amount:
        legs.append(ledger.Leg(earnings, performer_amount))
    if platform_amount:
        legs.append(ledger.Leg(platform, platform_amount))
    return legs, performer_amount, platform_amount, commission


def charge(
    *,
    payer: User,
    payee: User,
    amount: int,
    key: str,
    item: str,
    ref: str,
    memo: str = "",
    request: dict[str, Any] | None = None,
) -> Paid:
    """Move `amount` from `payer`'s wallet to `payee` (split by their share). InsufficientBalance if short.

    `key` is the caller's full idempotency key (unique forever); `request` what makes two calls "the same"
    (default: payee, amount, item, ref)."""
    ledger.check_amount(amount, maximum=10_000_000)
    request = request if request is not None else {"payee": payee.pk, "amount": amount, "item": item, "ref": ref}

    def write(digest: str) -> Paid:
        _check_payee(payer, payee)
        legs, performer_amount, platform_amount, commission = _split_legs(
            payee.pk, amount, item=item, joined=payee.date_joined
        )
        wallet = ledger.accounts_for([(AccountKind.VIEWER_WALLET, payer.pk)])[0]
        transfer = ledger.transfer_create(
            kind=TransferKind.CHARGE,
            key=key,
            digest=digest,
            legs=[ledger.Leg(wallet, -amount), *legs],
            memo=memo,
            data={
                "item": item,
                "ref": ref,
                "payer": payer.pk,
                "performer": payee.pk,
                "amount": amount,
                "performer_amount": performer_amount,
                "platform_amount": platform_amount,
                "rule": commission.rule_id,
                "share_bp": commission.share_bp,
            },
        )
        return _paid(transfer, written=True)

    result, _ = ledger.idempotent(key=key, request=request, write=write, replay=lambda t: _paid(t, written=False))
    return result


def hold_place(*, payer: User, payee: User, amount: int, key: str, item: str, ref: str, memo: str = "") -> Paid:
    """Put `amount` of `payer`'s tokens on hold for `payee` (escrow). InsufficientBalance if short."""
    ledger.check_amount(amount, maximum=10_000_000)
    request = {"payee": payee.pk, "amount": amount, "item": item, "ref": ref}

    def write(digest: str) -> Paid:
        _check_payee(payer, payee)
        wallet, holds = ledger.accounts_for([(AccountKind.VIEWER_WALLET, payer.pk), (AccountKind.HOLDS, None)])
        transfer = ledger.transfer_create(
            kind=TransferKind.HOLD,
            key=key,
            digest=digest,
            legs=[ledger.Leg(wallet, -amount), ledger.Leg(holds, amount)],
            memo=memo,
            data={"item": item, "ref": ref, "payer": payer.pk, "performer": payee.pk, "amount": amount},
        )
        return _paid(transfer, written=True)

    result, _ = ledger.idempotent(key=key, request=request, write=write, replay=lambda t: _paid(t, written=False))
    return result


def hold_settle(*, hold: LedgerTransfer, capture: int, memo: str = "") -> Paid:
    """Settle `hold` once: `capture` (0…held) to its performer, the rest back to its payer.

    The key is the hold's own (`settle:<hold id>`): whoever settles first wins; the same settle again replays
    it, a different one (capture vs release) is IdempotencyConflict — never both."""
    if hold.kind != TransferKind.HOLD:
        raise errors.LedgerInvariantBroken("Only a hold can be settled.")
    data = hold.data or {}
    held = int(data["amount"])
    if isinstance(capture, bool) or not isinstance(capture, int) or not 0 <= capture <= held:
        raise errors.InvalidAmount(extra={"minimum": 0, "maximum": held})
    key = f"settle:{hold.pk}"

    def write(digest: str) -> Paid:
        wallet, holds = ledger.accounts_for([(AccountKind.VIEWER_WALLET, data["payer"]), (AccountKind.HOLDS, None)])
        legs = [ledger.Leg(holds, -held)]
        performer_amount = platform_amount = 0
        recorded: dict[str, Any] = {}
        if capture:
            split_legs, performer_amount, platform_amount, commission = _split_legs(
                data["performer"], capture, item=str(data.get("item", ""))
            )
            legs.extend(split_legs)
            recorded = {"rule": commission.rule_id, "share_bp": commission.share_bp}
        if held - capture:
            legs.append(ledger.Leg(wallet, held - capture))
        transfer = ledger.transfer_create(
            kind=TransferKind.HOLD_CAPTURE if capture else TransferKind.HOLD_RELEASE,
            key=key,
            digest=digest,
            legs=legs,
            memo=memo,
            data={
                "item": data.get("item", ""),
                "ref": data.get("ref", ""),
                "hold": hold.pk,
                "payer": data["payer"],
                "performer": data["performer"],
                "amount": capture,
                "released": held - capture,
                "performer_amount": performer_amount,
                "platform_amount": platform_amount,
                **recorded,
            },
        )
        return _paid(transfer, written=True)

    result, _ = ledger.idempotent(
        key=key, request={"hold": hold.pk, "capture": capture}, write=write, replay=lambda t: _paid(t, written=False)
    )
    return result
