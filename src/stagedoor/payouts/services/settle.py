"""Reconciliation: what became of each payout, back into the ledger, once.

- **paid** (the bank's status report, a camt.054 booked debit, BTCPay `Completed`, finance confirming an
  e-wallet batch): payout clearing → paid out;
- **failed** (rejected before any money left: `RJCT`, BTCPay `Cancelled` or refusing the line): payout clearing →
  the performer's earnings — re-credited, paid in a later run;
- **returned** (paid, then sent back by the bank: camt.054 `RtrInf`): paid out → earnings, re-credited.

A line moves to each state at most once (rows locked, transitions checked): a report read twice, or a return of a
line already returned, changes nothing and says so. A report naming a batch or a transaction we never sent is
refused whole with a clear error.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish
from stagedoor.payouts import errors, events
from stagedoor.payouts.btcpay_payouts import BTCPayPayoutError, BTCPayPayouts
from stagedoor.payouts.files.reconcile import read_bank_return, read_status_report
from stagedoor.payouts.models import PayoutFile, PayoutItem, PayoutMethod, PayoutRun
from stagedoor.wallet import services as wallet

ST = PayoutItem.Status
OUTCOMES = ("paid", "failed", "returned")
# outcome → {status it may come from: (new status, ledger settlement)}
TRANSITIONS: dict[str, dict[str, tuple[str, str]]] = {
    "paid": {ST.SENT: (ST.PAID, "paid")},
    "failed": {ST.SENT: (ST.FAILED, "failed"), ST.PENDING: (ST.FAILED, "failed")},
    "returned": {ST.PAID: (ST.RETURNED, "returned"), ST.SENT: (ST.RETURNED, "failed")},
}
FINAL = (ST.PAID, ST.FAILED, ST.RETURNED, ST.CANCELLED, ST.REVIEW, ST.BLOCKED, ST.BELOW_MINIMUM)


@dataclass
class SettleResult:
    applied: dict[str, int] = field(default_factory=dict)  # outcome → lines
    unchanged: list[dict[str, str]] = field(default_factory=list)  # {"id", "status", "outcome"}


def items_settle(*, run_id: str, outcomes: Sequence[tuple[str, str, str]], source: str) -> SettleResult:
    """Apply (item id, outcome, reason) rows of one run. Returns what changed and what was already so."""
    result = SettleResult()
    with transaction.atomic():
        wanted = {item_id: (outcome, reason) for item_id, outcome, reason in outcomes}
        items = list(PayoutItem.objects.select_for_update().filter(run_id=run_id, pk__in=list(wanted)).order_by("pk"))
        moves: dict[str, list[PayoutItem]] = defaultdict(list)
        for item in items:
            outcome, reason = wanted[item.pk]
            step = TRANSITIONS.get(outcome, {}).get(item.status)
            if step is None:
                result.unchanged.append({"id": item.pk, "status": item.status, "outcome": outcome})
                continue
            item.status = step[0]
            item.outcome_reason = reason[:200]
            moves[step[1]].append(item)
            result.applied[outcome] = result.applied.get(outcome, 0) + 1
        for ledger_outcome, changed in moves.items():
            ids = sorted(i.pk for i in changed)
            digest = hashlib.sha256("|".join(ids).encode()).hexdigest()[:24]
            transfer, _ = wallet.payout_settle(
                key=f"payout-{ledger_outcome}:{run_id}:{digest}",
                run_id=run_id,
                outcome=ledger_outcome,
                lines=[wallet.PayoutSettle(str(i.performer_id), i.amount_tokens, i.pk) for i in changed],
                memo=f"Payout {ledger_outcome} ({source})",
            )
            for item in changed:
                item.settled_transfer_id = transfer.pk if transfer is not None else ""
                item.updated_at = timezone.now()
            PayoutItem.objects.bulk_update(changed, ["status", "outcome_reason", "settled_transfer_id", "updated_at"])
        if result.applied:
            run = PayoutRun.objects.get(pk=run_id)
            outbox_publish(
                topic=events.PAYOUT_RUN_CHANGED,
                payload={"run_id": run.pk, "status": run.status, "action": "settled", "total_minor": run.total_minor},
            )
    run_close_if_done(run_id)
    return result


def run_close_if_done(run_id: str) -> bool:
    """A sent run whose every line has an outcome is reconciled."""
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != PayoutRun.Status.SENT:
            return False
        if PayoutItem.objects.filter(run=run).exclude(status__in=FINAL).exists():
            return False
        run.status = PayoutRun.Status.RECONCILED
        run.save(update_fields=["status", "updated_at"])
        audit_record(actor=None, action="payouts.run_reconciled", target_type="payouts.run", target_id=run.pk)
        outbox_publish(
            topic=events.PAYOUT_RUN_CHANGED,
            payload={"run_id": run.pk, "status": run.status, "action": "reconciled", "total_minor": run.total_minor},
        )
    return True


def _sepa_batches() -> dict[str, list[str]]:
    """Every SEPA file we sent: its batch id → the end-to-end ids (payout ids) of its lines."""
    batches: dict[str, list[str]] = {}
    files = dict(PayoutFile.objects.filter(kind=PayoutMethod.Kind.SEPA).values_list("run_id", "batch_id"))
    rows = PayoutItem.objects.filter(run_id__in=list(files), method_kind=PayoutMethod.Kind.SEPA).exclude(
        status__in=[ST.PENDING, ST.CANCELLED, ST.REVIEW, ST.BLOCKED, ST.BELOW_MINIMUM]
    )
    for run_id, item_id in rows.values_list("run_id", "pk"):
        batches.setdefault(files[run_id], []).append(item_id)
    return batches


def payout_report_apply(*, actor: User, content: bytes, kind: str, ip: str = "") -> SettleResult:
    """Read a bank's pain.002 status report (`kind="status"`) or a return (camt.054 / pain.002 after acceptance,
    `kind="return"`) and settle every line it names. Unreadable, or naming a batch or line we never sent: refused
    whole, nothing changes (the reader's error says which)."""
    require_perm(actor, Perm.PAYOUTS_MANAGE)
    batches = _sepa_batches()
    reader = read_status_report if kind == "status" else read_bank_return
    outcomes = [o for o in reader(content, batches=batches) if o.outcome in OUTCOMES]
    runs = dict(PayoutItem.objects.filter(pk__in=[o.end_to_end_id for o in outcomes]).values_list("pk", "run_id"))
    by_run: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for o in outcomes:
        by_run[runs[o.end_to_end_id]].append((o.end_to_end_id, o.outcome, o.reason))
    total = SettleResult()
    for run_id, rows in by_run.items():
        one = items_settle(run_id=run_id, outcomes=rows, source=f"bank {kind}")
        for outcome, n in one.applied.items():
            total.applied[outcome] = total.applied.get(outcome, 0) + n
        total.unchanged += one.unchanged
    audit_record(
        actor=actor,
        action="payouts.report_applied",
        target_type="payouts.report",
        target_id=hashlib.sha256(content).hexdigest()[:32],
        ip=ip,
        data={"kind": kind, "applied": total.applied, "unchanged": len(total.unchanged), "runs": sorted(by_run)},
    )
    return total


def payout_items_mark(
    *, actor: User, run_id: str, item_ids: Sequence[str], outcome: str, reason: str, ip: str = ""
) -> SettleResult:
    """Finance records an outcome by hand (the e-wallet's batch result, a bank call): same rules as a report."""
    require_perm(actor, Perm.PAYOUTS_MANAGE)
    if outcome not in OUTCOMES:
        raise errors.UnknownOutcome()
    reason = " ".join((reason or "").split())
    if not reason:
        raise errors.ReasonRequired()
    if not PayoutRun.objects.filter(pk=run_id).exists():
        raise errors.PayoutRunNotFound()
    known = set(PayoutItem.objects.filter(run_id=run_id, pk__in=list(item_ids)).values_list("pk", flat=True))
    missing = [i for i in item_ids if i not in known]
    if missing:
        raise errors.PayoutItemNotFound(extra={"ids": missing[:20]})
    result = items_settle(run_id=run_id, outcomes=[(i, outcome, reason) for i in item_ids], source="finance")
    audit_record(
        actor=actor,
        action="payouts.items_marked",
        target_type="payouts.run",
        target_id=run_id,
        ip=ip,
        data={"outcome": outcome, "reason": reason, "applied": result.applied, "unchanged": len(result.unchanged)},
    )
    return result


def crypto_payouts_poll(*, limit: int = 500) -> dict[str, int]:
    """Ask BTCPay what became of sent crypto payouts; settle the ones it has finished. Returns counts."""
    items = list(
        PayoutItem.objects.filter(status=ST.SENT, method_kind=PayoutMethod.Kind.CRYPTO)
        .exclude(external_id="")
        .order_by("updated_at")[:limit]
    )
    if not items:
        return {}
    try:
        client = BTCPayPayouts.from_settings()
    except BTCPayPayoutError:
        return {"unconfigured": len(items)}
    by_run: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        try:
            payout = client.payout_get(item.external_id)
        except BTCPayPayoutError:
            counts["unavailable"] += 1
            continue
        counts[payout.outcome] += 1
        if payout.outcome != "pending":
            by_run[item.run_id].append((item.pk, payout.outcome, f"BTCPay {payout.state}"))
    for run_id, rows in by_run.items():
        items_settle(run_id=run_id, outcomes=rows, source="btcpay")
    return dict(counts)


def payout_method_changed_during_run(*, performer: Any, method: PayoutMethod) -> int:
    """Tell the performer that a payout already under way goes to the account locked at its run's start."""
    under_way = list(
        PayoutItem.objects.filter(performer_id=performer.pk, status__in=[ST.PENDING, ST.SENT])
        .exclude(method=method)
        .select_related("method", "run")
    )
    for item in under_way:
        locked = item.method.masked if item.method is not None else "—"
        send_mail(
            "Your payout in progress",
            f"You changed your payout details. The payout of {item.amount_tokens} tokens for "
            f"{item.run.period_start:%Y-%m-%d} to {item.run.period_end:%Y-%m-%d} was already under way and goes "
            f"to the account set when that run started ({locked}). Your new details ({method.masked}) are used "
            "from the next run on.",
            None,
            [performer.email],
        )
    return len(under_way)
