"""Tips: the hot path (one conditional update of the sender's wallet, appends for everything else)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import NotFound, ValidationFailed
from stagedoor.core.gates import PAYEE, GateContext, gate_refusal
from stagedoor.core.ids import new_id
from stagedoor.core.outbox import outbox_publish
from stagedoor.wallet import codes, conf, errors, events, fastpath, ledger
from stagedoor.wallet.models import (
    AccountKind,
    CommissionProduct,
    LedgerTransfer,
    Tip,
    TipMenuItem,
    TipReversal,
    TransferKind,
)
from stagedoor.wallet.selectors.commission import commission_for

MESSAGE_MAX = 300


def performer_share_bp(performer_id: Any, product: str = CommissionProduct.TIPS) -> int:
    """The performer's share of a sale of `product` now (see `selectors.commission`)."""
    return commission_for(performer_id, product, timezone.now()).share_bp


def split(amount: int, share_bp: int) -> tuple[int, int]:
    """(performer, platform): the performer's share rounded UP — in the performer's favour — so any tip
    with a share above 0 gives the performer at least one whole token; the platform gets the rest."""
    performer = -(-amount * share_bp // 10_000)
    return performer, amount - performer


def _tip_payload(tip: Tip, *, sender: User, performer: User) -> events.TipSent:
    return {
        "tip_id": tip.id,
        "transfer_id": tip.transfer_id,
        "room_id": tip.room_id or None,
        "performer_id": performer.pk,
        "performer_login": performer.login,
        # Chat shows `sender_name`; for an anonymous tip it is "Anonymous" and the sender's identity is
        # only in `sender_id` for staff tools — never display it.
        "sender_id": sender.pk,
        "sender_name": "Anonymous" if tip.anonymous else sender.shown_name,
        "anonymous": tip.anonymous,
        "amount": tip.amount,
        "message": tip.message,
        "menu_item_id": tip.menu_item_id,
        "menu_label": tip.menu_label or None,
        "created_at": tip.created_at.isoformat(),
    }


def tip_send(
    *,
    sender: User,
    performer: User,
    amount: int | None,
    idempotency_key: str,
    message: str = "",
    anonymous: bool = False,
    menu_item_id: str | None = None,
    room_id: str = "",
) -> Tip:
    """Send `amount` tokens from `sender`'s wallet to `performer` (a menu tip: the item's price).

    The key is looked up first (`ledger.idempotent`): a retry of a tip that was sent returns that tip even if
    the item's price changed, the item was deactivated or the performer lost the role since; only a different
    request under the same key is a conflict. No refusal is given for a key that was used.
    """
    client_key = ledger.check_client_key(idempotency_key)
    message = (message or "").strip()
    anonymous = bool(anonymous)
    key = f"tip:{sender.pk}:{client_key}"
    # What the client asked for, never what it resolves to today (a menu item's price may change).
    request = {
        "performer": performer.pk,
        "amount": amount,
        "message": message,
        "anonymous": anonymous,
        "menu_item": menu_item_id,
        "room": room_id,
    }
    fast = fastpath.available()

    def write(digest: str) -> Tip:
        charged, menu_label = _tip_checked(
            sender=sender, performer=performer, amount=amount, message=message, menu_item_id=menu_item_id
        )
        tip = Tip(
            id=new_id(),
            transfer_id=new_id(),
            sender=sender,
            performer=performer,
            amount=charged,
            performer_amount=0,
            platform_amount=0,
            message=message,
            anonymous=anonymous,
            menu_item_id=menu_item_id,
            menu_label=menu_label,
            room_id=room_id[:26],
            created_at=timezone.now(),
        )
        if fast:
            return _tip_write_postgres(tip, sender=sender, performer=performer, key=key, digest=digest)
        return _tip_write_orm(tip, sender=sender, performer=performer, key=key, digest=digest)

    def replay(existing: LedgerTransfer) -> Tip:
        found: Tip = Tip.objects.get(transfer=existing)
        return found

    def same_request(existing: LedgerTransfer, digest: str) -> bool:
        if existing.request_hash == digest:
            return True
        if amount is None and menu_item_id is not None:
            # Menu tips written before the rule above hashed the price charged as their amount.
            charged = Tip.objects.filter(transfer=existing).values_list("amount", flat=True).first()
            return charged is not None and existing.request_hash == ledger.request_hash(dict(request, amount=charged))
        return False

    # On PostgreSQL the one-statement write is itself the key lookup (see `ledger.idempotent`): no extra
    # round trip per tip, and every refusal (`_tip_checked`, a short wallet) is still answered from the key.
    tip, _created = ledger.idempotent(
        key=key,
        request=request,
        write=write,
        replay=replay,
        same_request=same_request,
        atomic=not fast,
        lookup_first=not fast,
    )
    return tip


def _tip_checked(
    *, sender: User, performer: User, amount: int | None, message: str, menu_item_id: str | None
) -> tuple[int, str]:
    """Check a new tip against the current state: (tokens to charge, menu label)."""
    if len(message) > MESSAGE_MAX:
        raise ValidationFailed(extra={"fields": {"message": [f"Use at most {MESSAGE_MAX} characters."]}})
    if performer.role != Role.PERFORMER or not performer.is_active:
        raise errors.NotAPerformer()
    if sender.pk == performer.pk:
        raise errors.TipToSelf()
    refusal = gate_refusal(PAYEE, GateContext(user=performer))  # e.g. an unverified or lapsed identity
    if refusal is not None:
        raise errors.PayeeRefused(refusal.message, extra={"reason": refusal.code})
    menu_label = ""
    if menu_item_id is not None:
        item = TipMenuItem.objects.filter(pk=menu_item_id, performer_id=performer.pk, active=True).first()
        if item is None:
            raise errors.MenuItemNotFound()
        if amount is not None and amount != item.price:
            raise errors.InvalidAmount(
                "A menu tip costs exactly the item's price.",
                extra={"minimum": item.price, "maximum": item.price, "price": item.price},
            )
        amount = item.price
        menu_label = item.label
    return ledger.check_amount(amount, maximum=conf.max_tip()), menu_label


def _tip_write_orm(tip: Tip, *, sender: User, performer: User, key: str, digest: str) -> Tip:
    """The tip through the posting engine (inside `ledger.idempotent`'s transaction)."""
    commission = commission_for(performer.pk, CommissionProduct.TIPS, tip.created_at, joined=performer.date_joined)
    tip.performer_amount, tip.platform_amount = split(tip.amount, commission.share_bp)
    wallet, earnings, platform = ledger.accounts_for(
        [
            (AccountKind.VIEWER_WALLET, sender.pk),
            (AccountKind.PERFORMER_EARNINGS, performer.pk),
            (AccountKind.PLATFORM_REVENUE, None),
        ]
    )
    legs = [ledger.Leg(wallet, -tip.amount)]
    if tip.performer_amount:
        legs.append(ledger.Leg(earnings, tip.performer_amount))
    if tip.platform_amount:
        legs.append(ledger.Leg(platform, tip.platform_amount))
    transfer = ledger.transfer_create(
        kind=TransferKind.TIP,
        key=key,
        digest=digest,
        legs=legs,
        data={"performer": performer.pk, "rule": commission.rule_id, "share_bp": commission.share_bp},
    )
    tip.transfer_id, tip.created_at = transfer.pk, transfer.created_at
    tip.save(force_insert=True)
    outbox_publish(topic=events.TIP_SENT, payload=_tip_payload(tip, sender=sender, performer=performer))
    return tip


def _tip_write_postgres(tip: Tip, *, sender: User, performer: User, key: str, digest: str) -> Tip:
    """The same tip as the ORM path, written by one statement (see `wallet.fastpath`).

    A taken key raises IntegrityError and a short wallet InsufficientBalance; `ledger.idempotent` then
    answers from the key if a concurrent retry used it.
    """
    commission = commission_for(performer.pk, CommissionProduct.TIPS, tip.created_at, joined=performer.date_joined)
    params = {
        "sender": sender.pk,
        "performer": performer.pk,
        "share_bp": commission.share_bp,
        "amount": tip.amount,
        "transfer_id": tip.transfer_id,
        "key": key,
        "hash": digest,
        "transfer_data": {"performer": performer.pk, "rule": commission.rule_id, "share_bp": commission.share_bp},
        "now": tip.created_at,
        "tip_id": tip.id,
        "message": tip.message,
        "anonymous": tip.anonymous,
        "menu_item": tip.menu_item_id,
        "menu_label": tip.menu_label,
        "room": tip.room_id,
        "event_id": new_id(),
        "topic": events.TIP_SENT.name,
        "payload": _tip_payload(tip, sender=sender, performer=performer),
    }
    for _attempt in range(2):
        result = fastpath.tip_insert(params)
        if result.performer_amount is not None:
            break
        if not (result.earnings_missing or result.platform_missing):
            raise errors.InsufficientBalance(extra={"needed": tip.amount})
        ledger.accounts_for([(AccountKind.PERFORMER_EARNINGS, performer.pk), (AccountKind.PLATFORM_REVENUE, None)])
    else:  # pragma: no cover - the accounts were just created
        raise errors.InsufficientBalance(extra={"needed": tip.amount})
    tip.performer_amount = int(result.performer_amount)
    tip.platform_amount = tip.amount - tip.performer_amount
    tip._state.adding = False
    tip._state.db = "default"
    hot = set()
    if tip.performer_amount and result.earnings_id:
        hot.add(result.earnings_id)
    if tip.platform_amount and result.platform_id:
        hot.add(result.platform_id)
    ledger.schedule_rollup(hot)
    return tip


def _reversed_so_far(tip: Tip) -> tuple[int, int, int]:
    agg = TipReversal.objects.filter(tip=tip).aggregate(
        a=Sum("amount"), p=Sum("performer_amount"), f=Sum("platform_amount")
    )
    return int(agg["a"] or 0), int(agg["p"] or 0), int(agg["f"] or 0)


def tip_refund(*, actor: User, tip_id: str, reason: str, ip: str = "") -> Tip:
    """Give the sender back what is left of a tip (staff correction). Idempotent: a tip is refunded once, and
    asking again (whatever changed since) answers the tip, refunded."""
    tip: Tip | None = Tip.objects.select_related("transfer", "sender", "performer").filter(pk=tip_id).first()
    if tip is None:
        raise NotFound()
    key = f"tip_refund:{tip.pk}"
    request = {"tip": tip.pk}
    if ledger.transfer_by_key(key) is not None:
        return tip  # already refunded by an earlier call: look the key up first
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise ValidationFailed(extra={"fields": {"reason": ["Give a reason of 1–200 characters."]}})

    def write(digest: str) -> Tip:
        reversed_amount, reversed_p, reversed_f = _reversed_so_far(tip)
        left, left_p, left_f = (
            tip.amount - reversed_amount,
            tip.performer_amount - reversed_p,
            tip.platform_amount - reversed_f,
        )
        if left <= 0:
            raise errors.AlreadyReversed()
        wallet, earnings, platform = ledger.accounts_for(
            [
                (AccountKind.VIEWER_WALLET, tip.sender_id),
                (AccountKind.PERFORMER_EARNINGS, tip.performer_id),
                (AccountKind.PLATFORM_REVENUE, None),
            ]
        )
        if left_p and ledger.hot_account_lock(earnings) < left_p:
            raise errors.InsufficientBalance("The performer's earnings no longer cover this tip.")
        legs = [ledger.Leg(wallet, left)]
        if left_p:
            legs.append(ledger.Leg(earnings, -left_p))
        if left_f:
            legs.append(ledger.Leg(platform, -left_f))
        transfer = ledger.transfer_create(
            kind=TransferKind.TIP_REFUND,
            key=key,
            digest=digest,
            legs=legs,
            memo=reason,
            reverses=tip.transfer,
            data={"tip": tip.pk, "actor": actor.pk},
        )
        TipReversal(
            tip=tip,
            transfer=transfer,
            kind=TipReversal.Kind.REFUND,
            amount=left,
            performer_amount=left_p,
            platform_amount=left_f,
        ).save(force_insert=True)
        audit_record(
            actor=actor, action=codes.AUDIT_TIP_REFUNDED, target=tip, ip=ip, data={"amount": left, "reason": reason}
        )
        outbox_publish(
            topic=events.TIP_REFUNDED,
            payload={"tip_id": tip.pk, "amount": left, "sender_id": tip.sender_id, "performer_id": tip.performer_id},
        )
        return tip

    def replay(existing: LedgerTransfer) -> Tip:
        return tip

    try:
        with transaction.atomic():
            if LedgerTransfer.objects.filter(reverses=tip.transfer).exclude(idempotency_key=key).exists():
                raise errors.AlreadyReversed()
            result, _ = ledger.idempotent(key=key, request=request, write=write, replay=replay)
    except IntegrityError:  # reversed concurrently
        raise errors.AlreadyReversed() from None
    return result
