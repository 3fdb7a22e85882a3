"""The ledger side of payouts: a run's moves out of earnings, each line's settlement, reserves released, a run
cancelled. The payouts app decides who is owed what; these post it, balanced, idempotent by key, and refuse any
move larger than what the performer's earnings (or reserve) hold at that instant (the rows are locked first, so a
concurrent claw-back waits; tips only add)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from stagedoor.wallet import errors, ledger
from stagedoor.wallet.models import AccountKind, LedgerAccount, LedgerTransfer, TransferKind
from stagedoor.wallet.selectors.balances import pending_sum


@dataclass(frozen=True)
class PayoutMove:
    """What a run takes from one performer's earnings: `pay` to payout clearing, `reserve` to their reserve."""

    performer_id: str
    pay: int
    reserve: int = 0


@dataclass(frozen=True)
class PayoutSettle:
    """One payout line settled: `amount` tokens for `performer_id`; `line` is the payout's own id."""

    performer_id: str
    amount: int
    line: str


SETTLE_KINDS = {
    "paid": TransferKind.PAYOUT_PAID,
    "failed": TransferKind.PAYOUT_FAILED,
    "returned": TransferKind.PAYOUT_RETURNED,
}


def _owned(kind: str, performer_ids: Sequence[str]) -> dict[str, LedgerAccount]:
    """Each performer's account of `kind` (the missing ones created in one statement), rows locked in primary-key
    order."""
    ids = sorted(set(performer_ids))
    found = {str(a.owner_id): a for a in LedgerAccount.objects.filter(kind=kind, owner_id__in=ids)}
    missing = [pid for pid in ids if pid not in found]
    if missing:
        # created concurrently by someone else: the unique (kind, owner) keeps one, which we then read
        LedgerAccount.objects.bulk_create(
            [LedgerAccount(kind=kind, owner_id=pid) for pid in missing], batch_size=2000, ignore_conflicts=True
        )
        found.update({str(a.owner_id): a for a in LedgerAccount.objects.filter(kind=kind, owner_id__in=missing)})
    pks = sorted(a.pk for a in found.values())
    list(LedgerAccount.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk", flat=True))
    return found


def _balances(accounts: dict[str, LedgerAccount]) -> dict[str, int]:
    rows = (
        LedgerAccount.objects.filter(pk__in=[a.pk for a in accounts.values()])
        .annotate(pending=pending_sum())
        .values_list("pk", "balance", "pending")
    )
    return {pk: int(balance) + int(pending) for pk, balance, pending in rows}


def _guard(accounts: dict[str, LedgerAccount], wanted: dict[str, int], what: str) -> None:
    have = _balances(accounts)
    for pid, amount in wanted.items():
        if amount > have.get(accounts[pid].pk, 0):
            raise errors.LedgerInvariantBroken(
                f"A payout would take {amount} tokens from {what} holding {have.get(accounts[pid].pk, 0)}.",
                extra={"performer": pid, "amount": amount, "account": what},
            )


def _checked(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise errors.LedgerInvariantBroken(f"A payout amount must be a whole number of tokens, not {amount!r}.")
    return amount


def earnings_lock(performer_ids: Sequence[str] | None = None) -> None:
    """Lock performers' earnings rows (all of them, or those named) until the transaction ends, in primary-key
    order: a run computes what is owed under this lock, so a claw-back (which locks the same rows) waits for it."""
    qs = LedgerAccount.objects.select_for_update().filter(kind=AccountKind.PERFORMER_EARNINGS)
    if performer_ids is not None:
        qs = qs.filter(owner_id__in=list(performer_ids))
    list(qs.order_by("pk").values_list("pk", flat=True))


def payout_post(
    *, key: str, run_id: str, moves: Sequence[PayoutMove], memo: str = ""
) -> tuple[LedgerTransfer | None, bool]:
    """Move every line of a run out of earnings in ONE transfer (earnings −, reserve +, payout clearing +).

    Returns (transfer, written); asked again with the same key: the first transfer, nothing moved. No line with
    an amount: (None, False)."""
    moves = [m for m in moves if _checked(m.pay) + _checked(m.reserve) > 0]
    if not moves:
        return None, False
    request = {"run": run_id, "lines": len(moves), "pay": sum(m.pay for m in moves)}

    def write(digest: str) -> LedgerTransfer:
        earnings = _owned(AccountKind.PERFORMER_EARNINGS, [m.performer_id for m in moves])
        _guard(earnings, {m.performer_id: m.pay + m.reserve for m in moves}, "earnings")
        reserving = [m.performer_id for m in moves if m.reserve]
        reserves = _owned(AccountKind.PERFORMER_RESERVE, reserving) if reserving else {}
        clearing = ledger.system_account(AccountKind.PAYOUT_CLEARING)
        legs: list[ledger.Leg] = []
        for m in moves:
            legs.append(ledger.Leg(earnings[m.performer_id], -(m.pay + m.reserve)))
            if m.reserve:
                legs.append(ledger.Leg(reserves[m.performer_id], m.reserve))
        total_pay = sum(m.pay for m in moves)
        if total_pay:
            legs.append(ledger.Leg(clearing, total_pay))
        return ledger.transfer_create(
            kind=TransferKind.PAYOUT,
            key=key,
            digest=digest,
            legs=legs,
            memo=memo,
            data={"run": run_id, "lines": len(moves), "pay": total_pay, "reserve": sum(m.reserve for m in moves)},
        )

    return ledger.idempotent(key=key, request=request, write=write, replay=lambda t: t)


def payout_settle(
    *, key: str, run_id: str, outcome: str, lines: Sequence[PayoutSettle], memo: str = ""
) -> tuple[LedgerTransfer | None, bool]:
    """Settle payout lines in one transfer: `paid` (clearing → paid out), `failed` (never left: clearing →
    earnings, the performer re-credited) or `returned` (paid, then sent back: paid out → earnings)."""
    if outcome not in SETTLE_KINDS:
        raise errors.LedgerInvariantBroken(f"Unknown payout outcome {outcome!r}.")
    lines = [line for line in lines if _checked(line.amount) > 0]
    if not lines:
        return None, False
    total = sum(line.amount for line in lines)
    request = {"run": run_id, "outcome": outcome, "lines": sorted(line.line for line in lines), "total": total}

    def write(digest: str) -> LedgerTransfer:
        clearing = ledger.system_account(AccountKind.PAYOUT_CLEARING)
        paid_out = ledger.system_account(AccountKind.PAID_OUT)
        legs: list[ledger.Leg]
        if outcome == "paid":
            legs = [ledger.Leg(clearing, -total), ledger.Leg(paid_out, total)]
        else:
            source = clearing if outcome == "failed" else paid_out
            earnings = _owned(AccountKind.PERFORMER_EARNINGS, [line.performer_id for line in lines])
            legs = [ledger.Leg(source, -total)]
            legs += [ledger.Leg(earnings[line.performer_id], line.amount) for line in lines]
        return ledger.transfer_create(
            kind=SETTLE_KINDS[outcome],
            key=key,
            digest=digest,
            legs=legs,
            memo=memo,
            data={"run": run_id, "outcome": outcome, "lines": [line.line for line in lines][:500], "total": total},
        )

    return ledger.idempotent(key=key, request=request, write=write, replay=lambda t: t)


def payout_cancel(
    *, key: str, run_id: str, moves: Sequence[PayoutMove], memo: str = ""
) -> tuple[LedgerTransfer | None, bool]:
    """Undo a run that never went out: clearing and reserves back to earnings, one transfer."""
    moves = [m for m in moves if _checked(m.pay) + _checked(m.reserve) > 0]
    if not moves:
        return None, False
    request = {"run": run_id, "cancel": len(moves), "pay": sum(m.pay for m in moves)}

    def write(digest: str) -> LedgerTransfer:
        earnings = _owned(AccountKind.PERFORMER_EARNINGS, [m.performer_id for m in moves])
        reserving = [m.performer_id for m in moves if m.reserve]
        reserves = _owned(AccountKind.PERFORMER_RESERVE, reserving) if reserving else {}
        if reserves:
            _guard(reserves, {m.performer_id: m.reserve for m in moves if m.reserve}, "reserve")
        clearing = ledger.system_account(AccountKind.PAYOUT_CLEARING)
        legs = [ledger.Leg(earnings[m.performer_id], m.pay + m.reserve) for m in moves]
        legs += [ledger.Leg(reserves[m.performer_id], -m.reserve) for m in moves if m.reserve]
        total_pay = sum(m.pay for m in moves)
        if total_pay:
            legs.append(ledger.Leg(clearing, -total_pay))
        return ledger.transfer_create(
            kind=TransferKind.PAYOUT_CANCELLED, key=key, digest=digest, legs=legs, memo=memo, data={"run": run_id}
        )

    return ledger.idempotent(key=key, request=request, write=write, replay=lambda t: t)


def reserve_release(*, key: str, releases: Sequence[PayoutMove], memo: str = "") -> tuple[LedgerTransfer | None, bool]:
    """Release reserves whose days are over back to earnings (`PayoutMove.reserve` of each), one transfer."""
    releases = [m for m in releases if _checked(m.reserve) > 0]
    if not releases:
        return None, False
    request = {"release": sorted((m.performer_id, m.reserve) for m in releases)}

    def write(digest: str) -> LedgerTransfer:
        reserves = _owned(AccountKind.PERFORMER_RESERVE, [m.performer_id for m in releases])
        wanted: dict[str, int] = {}
        for m in releases:
            wanted[m.performer_id] = wanted.get(m.performer_id, 0) + m.reserve
        _guard(reserves, wanted, "reserve")
        earnings = _owned(AccountKind.PERFORMER_EARNINGS, list(wanted))
        legs: list[ledger.Leg] = []
        for pid, amount in wanted.items():
            legs += [ledger.Leg(reserves[pid], -amount), ledger.Leg(earnings[pid], amount)]
        return ledger.transfer_create(
            kind=TransferKind.RESERVE_RELEASE,
            key=key,
            digest=digest,
            legs=legs,
            memo=memo,
            data={"performers": len(wanted), "total": sum(wanted.values())},
        )

    return ledger.idempotent(key=key, request=request, write=write, replay=lambda t: t)
