"""Tokens in and out of the platform: purchases, refunds, chargebacks, promotions, affiliate commissions.

Accounts (signs: an account's balance is the sum of its entries):
- purchase clearing goes negative by every token sold (tokens issued against money received);
- a refund or chargeback is a transfer that `reverses` the purchase transfer (one-to-one, so a purchase is
  reversed at most once) and puts the tokens back into clearing;
- tokens of a charged-back purchase already spent are taken back from the performers' earnings still on
  hold (policy `clawback`) or written off to chargeback losses (policy `platform_absorbs`, and whatever a
  claw-back could not recover).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.outbox import outbox_publish
from stagedoor.wallet import codes, conf, errors, events, ledger
from stagedoor.wallet.models import AccountKind, LedgerTransfer, Tip, TipReversal, TransferKind

MAX_PURCHASE_TOKENS = 10_000_000
MAX_PROMOTION = 1_000_000


def purchase_credit(
    *, buyer: User, tokens: int, purchase_id: str, price_minor: int, currency: str, provider: str
) -> LedgerTransfer:
    """Credit a paid purchase. Keyed by the purchase: a duplicated postback can never credit twice."""
    key = f"purchase:{purchase_id}"
    request = {"buyer": buyer.pk, "tokens": tokens, "price_minor": price_minor, "currency": currency}

    def write(digest: str) -> LedgerTransfer:
        ledger.check_amount(tokens, maximum=MAX_PURCHASE_TOKENS)
        wallet, clearing = ledger.accounts_for(
            [(AccountKind.VIEWER_WALLET, buyer.pk), (AccountKind.PURCHASE_CLEARING, None)]
        )
        transfer = ledger.transfer_create(
            kind=TransferKind.PURCHASE,
            key=key,
            digest=digest,
            legs=[ledger.Leg(clearing, -tokens), ledger.Leg(wallet, tokens)],
            data={"purchase": purchase_id, "price_minor": price_minor, "currency": currency, "provider": provider},
        )
        outbox_publish(
            topic=events.WALLET_CREDITED,
            payload={"user_id": buyer.pk, "tokens": tokens, "purchase_id": purchase_id, "transfer_id": transfer.pk},
        )
        return transfer

    transfer, _ = ledger.idempotent(key=key, request=request, write=write, replay=lambda existing: existing)
    return transfer


def _purchase_transfer(purchase_id: str) -> LedgerTransfer:
    transfer: LedgerTransfer | None = LedgerTransfer.objects.filter(idempotency_key=f"purchase:{purchase_id}").first()
    if transfer is None:
        raise errors.AlreadyReversed("This purchase was never credited.")
    return transfer


def _tokens_of(transfer: LedgerTransfer) -> int:
    return int(transfer.entries.filter(amount__gt=0).aggregate(s=Sum("amount"))["s"] or 0)


def purchase_refund(*, purchase_id: str, buyer: User, actor: Any, reason: str) -> LedgerTransfer:
    """Take a purchase's tokens back out of the buyer's wallet (all of them, or refuse). Asked again: the
    refund (the key is looked up first)."""
    key = f"purchase_refund:{purchase_id}"
    existing = ledger.transfer_by_key(key)
    if existing is not None:
        return existing
    original = _purchase_transfer(purchase_id)
    tokens = _tokens_of(original)
    wallet, clearing = ledger.accounts_for(
        [(AccountKind.VIEWER_WALLET, buyer.pk), (AccountKind.PURCHASE_CLEARING, None)]
    )

    def write(digest: str) -> LedgerTransfer:
        if LedgerTransfer.objects.filter(reverses=original).exclude(idempotency_key=key).exists():
            raise errors.AlreadyReversed()
        try:
            transfer = ledger.transfer_create(
                kind=TransferKind.PURCHASE_REFUND,
                key=key,
                digest=digest,
                legs=[ledger.Leg(wallet, -tokens), ledger.Leg(clearing, tokens)],
                memo=reason,
                reverses=original,
                data={"purchase": purchase_id},
            )
        except errors.InsufficientBalance:
            raise errors.TokensAlreadySpent() from None
        outbox_publish(
            topic=events.WALLET_PURCHASE_REVERSED,
            payload={
                "user_id": buyer.pk,
                "purchase_id": purchase_id,
                "transfer_id": transfer.pk,
                "kind": transfer.kind,
            },
        )
        audit_record(
            actor=actor,
            action=codes.AUDIT_PURCHASE_REFUNDED,
            target_type="payments.purchase",
            target_id=purchase_id,
            data={"tokens": tokens, "reason": reason[:200]},
        )
        return transfer

    try:
        transfer, _ = ledger.idempotent(
            key=key, request={"purchase": purchase_id}, write=write, replay=lambda existing: existing
        )
    except IntegrityError:  # reversed concurrently by a chargeback
        raise errors.AlreadyReversed() from None
    return transfer


@dataclass
class ChargebackOutcome:
    transfer: LedgerTransfer
    tokens: int
    recovered_from_wallet: int = 0
    clawed_back: int = 0
    written_off: int = 0
    clawbacks: list[dict[str, Any]] = field(default_factory=list)


def purchase_chargeback(*, purchase_id: str, buyer: User, reason: str) -> ChargebackOutcome:
    """Reverse a charged-back purchase: what is left in the wallet, then claw-back or write-off. Asked again:
    the same outcome (the key is looked up first)."""
    key = f"chargeback:{purchase_id}"
    existing = ledger.transfer_by_key(key)
    if existing is not None and existing.reverses is not None:
        return _chargeback_outcome(existing, _tokens_of(existing.reverses), [])
    original = _purchase_transfer(purchase_id)
    tokens = _tokens_of(original)
    policy = conf.chargeback_policy()
    outcome: dict[str, Any] = {}

    def write(digest: str) -> LedgerTransfer:
        if LedgerTransfer.objects.filter(reverses=original).exclude(idempotency_key=key).exists():
            raise errors.AlreadyReversed()
        wallet, clearing, platform, losses = ledger.accounts_for(
            [
                (AccountKind.VIEWER_WALLET, buyer.pk),
                (AccountKind.PURCHASE_CLEARING, None),
                (AccountKind.PLATFORM_REVENUE, None),
                (AccountKind.CHARGEBACK_LOSSES, None),
            ]
        )
        # Lock the wallet row so the amount we take is exactly what is there.
        balance = type(wallet).objects.select_for_update().filter(pk=wallet.pk).values_list("balance", flat=True).get()
        recovered = min(int(balance), tokens)
        shortfall = tokens - recovered
        legs: list[ledger.Leg] = []
        if recovered:
            legs += [ledger.Leg(wallet, -recovered), ledger.Leg(clearing, recovered)]
        pending_reversals: list[TipReversal] = []
        clawed = 0
        if shortfall and policy == "clawback":
            clawed, claw_legs, pending_reversals = _clawback(
                buyer=buyer, amount=shortfall, clearing=clearing, platform=platform
            )
            legs += claw_legs
        written_off = shortfall - clawed
        if written_off:
            legs += [ledger.Leg(losses, -written_off), ledger.Leg(clearing, written_off)]
        transfer = ledger.transfer_create(
            kind=TransferKind.CHARGEBACK,
            key=key,
            digest=digest,
            legs=legs,
            memo=reason,
            reverses=original,
            data={
                "purchase": purchase_id,
                "policy": policy,
                "recovered": recovered,
                "clawed_back": clawed,
                "written_off": written_off,
            },
        )
        for reversal in pending_reversals:
            reversal.transfer = transfer
            reversal.save(force_insert=True)
        outbox_publish(
            topic=events.WALLET_PURCHASE_REVERSED,
            payload={
                "user_id": buyer.pk,
                "purchase_id": purchase_id,
                "transfer_id": transfer.pk,
                "kind": transfer.kind,
            },
        )
        audit_record(
            actor=None,
            action=codes.AUDIT_PURCHASE_CHARGED_BACK,
            target_type="payments.purchase",
            target_id=purchase_id,
            data=dict(transfer.data, reason=reason[:200]),
        )
        outcome["clawbacks"] = [
            {"tip": r.tip_id, "amount": r.amount, "performer_amount": r.performer_amount} for r in pending_reversals
        ]
        return transfer

    try:
        with transaction.atomic():
            transfer, _ = ledger.idempotent(
                key=key, request={"purchase": purchase_id}, write=write, replay=lambda existing: existing
            )
    except IntegrityError:  # reversed concurrently by a refund
        raise errors.AlreadyReversed() from None
    return _chargeback_outcome(transfer, tokens, outcome.get("clawbacks", []))


def _chargeback_outcome(transfer: LedgerTransfer, tokens: int, clawbacks: list[dict[str, Any]]) -> ChargebackOutcome:
    return ChargebackOutcome(
        transfer=transfer,
        tokens=tokens,
        recovered_from_wallet=int(transfer.data.get("recovered", 0)),
        clawed_back=int(transfer.data.get("clawed_back", 0)),
        written_off=int(transfer.data.get("written_off", 0)),
        clawbacks=clawbacks,
    )


def _clawback(
    *, buyer: User, amount: int, clearing: Any, platform: Any
) -> tuple[int, list[ledger.Leg], list[TipReversal]]:
    """Take up to `amount` back from the buyer's tips still inside the hold window, newest first."""
    since = timezone.now() - timedelta(days=conf.hold_days())
    tips = list(Tip.objects.filter(sender=buyer, created_at__gte=since).order_by("-created_at")[:500])
    legs: list[ledger.Leg] = []
    reversals: list[TipReversal] = []
    earnings_left: dict[Any, int] = {}
    earnings_accounts: dict[Any, Any] = {}
    left = amount
    for tip in tips:
        if left <= 0:
            break
        agg = TipReversal.objects.filter(tip=tip).aggregate(
            a=Sum("amount"), p=Sum("performer_amount"), f=Sum("platform_amount")
        )
        tip_left = tip.amount - int(agg["a"] or 0)
        p_left = tip.performer_amount - int(agg["p"] or 0)
        f_left = tip.platform_amount - int(agg["f"] or 0)
        if tip_left <= 0:
            continue
        take = min(left, tip_left)
        # Split like the tip was split; if the platform's part runs out, the performer's covers the rest.
        take_p = min(p_left, take * tip.performer_amount // tip.amount)
        take_f = min(f_left, take - take_p)
        take_p = min(p_left, take - take_f)
        if tip.performer_id not in earnings_accounts:
            account = ledger.account_get(AccountKind.PERFORMER_EARNINGS, owner_id=tip.performer_id)
            earnings_accounts[tip.performer_id] = account
            earnings_left[tip.performer_id] = max(0, ledger.hot_account_lock(account))
        take_p = min(take_p, earnings_left[tip.performer_id])
        got = take_p + take_f
        if got <= 0:
            continue
        earnings_left[tip.performer_id] -= take_p
        if take_p:
            legs.append(ledger.Leg(earnings_accounts[tip.performer_id], -take_p))
        if take_f:
            legs.append(ledger.Leg(platform, -take_f))
        legs.append(ledger.Leg(clearing, got))
        reversals.append(
            TipReversal(
                tip=tip, kind=TipReversal.Kind.CLAWBACK, amount=got, performer_amount=take_p, platform_amount=take_f
            )
        )
        left -= got
    return amount - left, legs, reversals


def promotion_grant(
    *, actor: User, user: User, tokens: int, reason: str, idempotency_key: str, ip: str = ""
) -> LedgerTransfer:
    """Give a user free tokens from the promotions account (finance staff). The key is looked up first."""
    client_key = ledger.check_client_key(idempotency_key)
    reason = (reason or "").strip()
    key = f"promotion:{actor.pk}:{client_key}"

    def write(digest: str) -> LedgerTransfer:
        amount = ledger.check_amount(tokens, maximum=MAX_PROMOTION)
        if not reason or len(reason) > 200:
            raise ValidationFailed(extra={"fields": {"reason": ["Give a reason of 1–200 characters."]}})
        wallet, promotions = ledger.accounts_for([(AccountKind.VIEWER_WALLET, user.pk), (AccountKind.PROMOTIONS, None)])
        transfer = ledger.transfer_create(
            kind=TransferKind.PROMOTION,
            key=key,
            digest=digest,
            legs=[ledger.Leg(promotions, -amount), ledger.Leg(wallet, amount)],
            memo=reason,
            data={"user": user.pk, "actor": actor.pk},
        )
        audit_record(
            actor=actor, action=codes.AUDIT_PROMO_GRANTED, target=user, ip=ip, data={"tokens": amount, "reason": reason}
        )
        return transfer

    transfer, _ = ledger.idempotent(
        key=key, request={"user": user.pk, "tokens": tokens, "reason": reason}, write=write, replay=lambda t: t
    )
    return transfer


def affiliate_commission_accrue(*, affiliate: User, tokens: int, source: str, idempotency_key: str) -> LedgerTransfer:
    """Owe an affiliate `tokens` out of platform revenue (the affiliates app calls this). Key looked up first."""
    client_key = ledger.check_client_key(idempotency_key)
    key = f"affiliate:{client_key}"

    def write(digest: str) -> LedgerTransfer:
        amount = ledger.check_amount(tokens, maximum=MAX_PROMOTION)
        platform, payables = ledger.accounts_for(
            [(AccountKind.PLATFORM_REVENUE, None), (AccountKind.AFFILIATE_PAYABLES, affiliate.pk)]
        )
        return ledger.transfer_create(
            kind=TransferKind.AFFILIATE_COMMISSION,
            key=key,
            digest=digest,
            legs=[ledger.Leg(platform, -amount), ledger.Leg(payables, amount)],
            data={"affiliate": affiliate.pk, "source": source[:100]},
        )

    transfer, _ = ledger.idempotent(
        key=key,
        request={"affiliate": affiliate.pk, "tokens": tokens, "source": source},
        write=write,
        replay=lambda t: t,
    )
    return transfer


def affiliate_commission_reverse(*, accrual_id: str, reason: str, idempotency_key: str) -> LedgerTransfer:
    """Take back a commission accrued by `affiliate_commission_accrue` (transfer `accrual_id`): payables → platform
    revenue, the same amount. A transfer is reversed at most once (`reverses` is one-to-one). Key looked up first."""
    client_key = ledger.check_client_key(idempotency_key)
    key = f"affiliate:{client_key}"

    def write(digest: str) -> LedgerTransfer:
        original = LedgerTransfer.objects.filter(pk=accrual_id, kind=TransferKind.AFFILIATE_COMMISSION).first()
        if original is None or original.reverses_id is not None:
            raise errors.AlreadyReversed("This is not an affiliate commission accrual.")
        if LedgerTransfer.objects.filter(reverses=original).exists():
            raise errors.AlreadyReversed()
        affiliate_id = original.data.get("affiliate")
        tokens = _tokens_of(original)
        platform, payables = ledger.accounts_for(
            [(AccountKind.PLATFORM_REVENUE, None), (AccountKind.AFFILIATE_PAYABLES, affiliate_id)]
        )
        return ledger.transfer_create(
            kind=TransferKind.AFFILIATE_COMMISSION,
            key=key,
            digest=digest,
            legs=[ledger.Leg(payables, -tokens), ledger.Leg(platform, tokens)],
            memo=reason,
            reverses=original,
            data={"affiliate": affiliate_id, "source": str(original.data.get("source", ""))[:100], "reversal": True},
        )

    transfer, _ = ledger.idempotent(key=key, request={"accrual": accrual_id}, write=write, replay=lambda t: t)
    return transfer
