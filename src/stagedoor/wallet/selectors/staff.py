"""Reads for staff: any user's wallet, tips by id or key, system balances, the console's lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Sum

from stagedoor.accounts.models import User
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.errors import NotFound
from stagedoor.wallet import errors
from stagedoor.wallet.models import (
    LedgerAccount,
    LedgerEntry,
    LedgerTransfer,
    Tip,
    TipReversal,
    TransferKind,
)
from stagedoor.wallet.selectors.balances import pending_sum


def access_user_wallet(actor: Any, user_id: str, *, perm: str) -> User:
    require_perm(actor, perm)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def tip_get(tip_id: str) -> Tip:
    tip: Tip | None = Tip.objects.filter(pk=tip_id).first()
    if tip is None:
        raise NotFound()
    return tip


def tip_recipient(user_id: str) -> User:
    """The user a tip is addressed to, whatever their role today: `tip_send` checks the role only after the
    idempotency key (a retry of a tip to a performer who lost the role since is still that tip)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise errors.NotAPerformer()
    return user


def tip_of_sender_by_key(sender: Any, client_key: str) -> Tip:
    """The sender's tip sent with `client_key` (its outcome, for a client that lost the answer); else 404."""
    key = f"tip:{sender.pk}:{client_key}"
    tip: Tip | None = Tip.objects.filter(transfer__idempotency_key=key, sender_id=sender.pk).first()
    if tip is None:
        raise errors.TipNotFound()
    return tip


def system_balances() -> list[tuple[LedgerAccount, int]]:
    """Every system account's exact balance, all from one statement (one snapshot)."""
    accounts = list(LedgerAccount.objects.filter(owner__isnull=True).annotate(pending=pending_sum()).order_by("kind"))
    return [(a, int(a.balance) + int(a.pending)) for a in accounts]


@dataclass(frozen=True)
class StaffTipLine:
    tip: Tip
    reversed: int  # tokens already taken back (staff refunds and chargeback claw-backs)

    @property
    def left(self) -> int:
        return self.tip.amount - self.reversed


def tips_for_staff(*, tip_id: str = "", sender_id: str = "", limit: int = 20) -> list[StaffTipLine]:
    """One tip by id, or a sender's tips newest first, each with what was already taken back."""
    qs = Tip.objects.select_related("sender", "performer")
    if tip_id:
        qs = qs.filter(pk=tip_id)
    elif sender_id:
        qs = qs.filter(sender_id=sender_id).order_by("-created_at")
    else:
        return []
    tips = list(qs[: max(1, min(limit, 200))])
    reversed_by_tip = dict(
        TipReversal.objects.filter(tip__in=tips).values("tip_id").annotate(s=Sum("amount")).values_list("tip_id", "s")
    )
    return [StaffTipLine(t, int(reversed_by_tip.get(t.pk) or 0)) for t in tips]


@dataclass(frozen=True)
class PromotionLine:
    transfer_id: str
    at: datetime
    tokens: int
    reason: str
    user_id: str
    user_login: str
    actor_login: str


def promotions_recent(*, limit: int = 20) -> list[PromotionLine]:
    """Promotional tokens granted, newest first."""
    transfers = list(LedgerTransfer.objects.filter(kind=TransferKind.PROMOTION).order_by("-created_at")[:limit])
    tokens = dict(
        LedgerEntry.objects.filter(transfer__in=transfers, amount__gt=0)
        .values("transfer_id")
        .annotate(s=Sum("amount"))
        .values_list("transfer_id", "s")
    )
    people = {str(t.data.get(k)) for t in transfers for k in ("user", "actor") if t.data.get(k)}
    logins = dict(User.objects.filter(pk__in=people).values_list("pk", "login"))
    return [
        PromotionLine(
            transfer_id=t.pk,
            at=t.created_at,
            tokens=int(tokens.get(t.pk) or 0),
            reason=t.memo,
            user_id=str(t.data.get("user", "")),
            user_login=logins.get(str(t.data.get("user", "")), "?"),
            actor_login=logins.get(str(t.data.get("actor", "")), "?"),
        )
        for t in transfers
    ]
