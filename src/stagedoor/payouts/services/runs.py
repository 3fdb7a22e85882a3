"""Payout runs: compute what each performer is owed for a period and move it out of earnings (one ledger transfer),
hold what needs a person's look, approve (four-eyes above a total), send (SEPA and e-wallet files, BTCPay payouts),
cancel. Reconciliation is in `settle.py`.

One run per period, ever: asking again for the same period returns the run already made and moves nothing. The
payout method version current at the run's start is locked into each line; a change made during the run is used
from the next run on (the performer is told). Everything a person does to a run is audited and published.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish
from stagedoor.payouts import conf, errors, events
from stagedoor.payouts.btcpay_payouts import BTCPayPayoutError, BTCPayPayouts, BTCPayUnavailable
from stagedoor.payouts.files.errors import PayoutFileError
from stagedoor.payouts.files.ewallet import ewallet_mass_payment_csv
from stagedoor.payouts.files.model import BankAccount, BitcoinAddress, EWalletAccount, PayoutBatch, PayoutLine
from stagedoor.payouts.files.sepa import SepaDebtor, sepa_credit_transfer, validate_pain001
from stagedoor.payouts.models import PayoutApproval, PayoutFile, PayoutItem, PayoutMethod, PayoutRun
from stagedoor.payouts.review import review_flags
from stagedoor.payouts.selectors import current_methods, payout_blockers_many, run_counts
from stagedoor.payouts.services.settle import items_settle, run_close_if_done
from stagedoor.wallet import conf as wallet_conf
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet import services as wallet

# Periods are counted from a Monday, 00:00 UTC: with the default 7 days a run pays Monday to Monday.
EPOCH = datetime(1970, 1, 5, tzinfo=UTC)
OPEN_STATUSES = (PayoutRun.Status.AWAITING_APPROVAL, PayoutRun.Status.APPROVED)
ST = PayoutItem.Status


def period_of(at: datetime, *, days: int | None = None) -> tuple[datetime, datetime]:
    """The last whole period ended at or before `at`: (start, end)."""
    span = timedelta(days=days or conf.integer("period_days"))
    count = (at - EPOCH) // span
    end = EPOCH + count * span
    return end - span, end


def _publish(run: PayoutRun, action: str) -> None:
    outbox_publish(
        topic=events.PAYOUT_RUN_CHANGED,
        payload={"run_id": run.pk, "status": run.status, "action": action, "total_minor": run.total_minor},
    )


def _audit(actor: Any, action: str, run: PayoutRun, ip: str = "", **data: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        target_type="payouts.run",
        target_id=run.pk,
        ip=ip,
        data={"period_start": run.period_start.isoformat(), "period_end": run.period_end.isoformat(), **data},
    )


def _approvals_needed(total_minor: int) -> int:
    return 2 if total_minor > conf.integer("four_eyes_above_minor") else 1


# --- reserves --------------------------------------------------------------------------------------------------


def reserves_release_due(*, at: datetime, key: str) -> int:
    """Release every reserve whose days are over by `at` back to earnings (one transfer). Returns tokens released."""
    with transaction.atomic():
        due = list(
            PayoutItem.objects.select_for_update()
            .filter(reserve_released=False, reserve_tokens__gt=0, reserve_release_at__lte=at)
            .exclude(status__in=[ST.CANCELLED])
            .order_by("pk")
        )
        if not due:
            return 0
        moves = [wallet.PayoutMove(performer_id=str(i.performer_id), pay=0, reserve=i.reserve_tokens) for i in due]
        wallet.reserve_release(key=key, releases=moves, memo="Rolling reserve released")
        PayoutItem.objects.filter(pk__in=[i.pk for i in due]).update(reserve_released=True)
        return sum(i.reserve_tokens for i in due)


# --- a run is made ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    performer_id: str
    status: str
    matured: int
    held: int
    reserve: int
    pay: int
    method: PayoutMethod | None
    reasons: list[dict[str, str]]


def _lines(start: datetime, end: datetime) -> list[_Line]:
    positions = wallet_selectors.earnings_positions(
        as_of=end, hold_days=conf.hold_days_by_product(), default_hold=wallet_conf.hold_days()
    )
    owed = {pid: p for pid, p in positions.items() if p.matured > 0}
    ids = sorted(owed)
    methods = current_methods(ids)
    blockers = payout_blockers_many(ids, methods=methods)
    minimum = conf.integer("minimum_tokens")
    candidates = [pid for pid in ids if not blockers[pid] and owed[pid].matured >= minimum]
    flags = review_flags(candidates, start=start, end=end)
    reserve_bp = conf.integer("reserve_bp")
    lines = []
    for pid in ids:
        p = owed[pid]
        reasons = [{"code": b.code, "message": b.message} for b in blockers[pid]]
        if reasons:
            status = ST.BLOCKED
        elif p.matured < minimum:
            status = ST.BELOW_MINIMUM
            reasons = [{"code": "payouts.below_minimum", "message": f"Under the minimum of {minimum} tokens."}]
        elif pid in flags:
            status = ST.REVIEW
            reasons = [{"code": b.code, "message": b.message} for b in flags[pid]]
        else:
            status = ST.PENDING
        reserve = p.matured * reserve_bp // 10_000 if status == ST.PENDING else 0
        pay = p.matured - reserve if status == ST.PENDING else 0
        lines.append(_Line(pid, status, p.matured, p.held, reserve, pay, methods.get(pid), reasons))
    return lines


def payout_run_create(*, actor: User, period_end: datetime | None = None, ip: str = "") -> tuple[PayoutRun, bool]:
    """Make the run of the period ending at (or last before) `period_end`. Returns (run, created); asked again for
    the same period: (that run, False) — nobody is paid twice."""
    require_perm(actor, Perm.PAYOUTS_MANAGE)
    now = timezone.now()
    start, end = period_of(period_end or now)
    if end > now:
        raise errors.PeriodNotOver(extra={"period_end": end.isoformat()})
    existing = PayoutRun.objects.filter(period_start=start, period_end=end).first()
    if existing is not None:
        return existing, False
    if PayoutRun.objects.filter(period_start__lt=end, period_end__gt=start).exists():
        raise errors.PeriodOverlaps(extra={"period_start": start.isoformat(), "period_end": end.isoformat()})
    currency, rate = wallet_conf.payout_currency(), wallet_conf.payout_rate_minor()
    if rate <= 0:
        raise errors.NoPayoutRate()
    try:
        with transaction.atomic():
            run = PayoutRun.objects.create(
                period_start=start,
                period_end=end,
                currency=currency,
                rate_minor=rate,
                reserve_bp=conf.integer("reserve_bp"),
                reserve_days=conf.integer("reserve_days"),
                minimum_tokens=conf.integer("minimum_tokens"),
                created_by=actor,
                created_by_label=actor.login,
            )
            released = reserves_release_due(at=end, key=f"reserve-release:{run.pk}")
            wallet.earnings_lock()
            lines = _lines(start, end)
            release_at = end + timedelta(days=run.reserve_days)  # counted from the period's end: reproducible
            items = [
                PayoutItem(
                    run=run,
                    performer_id=line.performer_id,
                    status=line.status,
                    matured_tokens=line.matured,
                    held_tokens=line.held,
                    reserve_tokens=line.reserve,
                    amount_tokens=line.pay,
                    amount_minor=line.pay * rate,
                    method=line.method if line.status == ST.PENDING else None,
                    method_kind=line.method.kind if line.method is not None and line.status == ST.PENDING else "",
                    reasons=line.reasons,
                    reserve_release_at=release_at if line.reserve else None,
                )
                for line in lines
            ]
            PayoutItem.objects.bulk_create(items, batch_size=2000)
            moves = [
                wallet.PayoutMove(performer_id=item.performer_id, pay=item.amount_tokens, reserve=item.reserve_tokens)
                for item in items
                if item.status == ST.PENDING
            ]
            transfer, _ = wallet.payout_post(key=f"payout:{run.pk}", run_id=run.pk, moves=moves, memo="Payout run")
            run.transfer_id = transfer.pk if transfer is not None else ""
            _totals(run)
            run.save()
            counts = run_counts(run)
            _audit(actor, "payouts.run_created", run, ip, released_reserve=released, **counts)
            _publish(run, "created")
    except IntegrityError:  # the same period made concurrently: that run is the answer
        return PayoutRun.objects.get(period_start=start, period_end=end), False
    return run, True


def _totals(run: PayoutRun) -> None:
    agg = PayoutItem.objects.filter(run=run, status__in=[ST.PENDING, ST.SENT, ST.PAID]).aggregate(
        t=Sum("amount_tokens"), m=Sum("amount_minor"), r=Sum("reserve_tokens")
    )
    run.total_tokens, run.total_minor = int(agg["t"] or 0), int(agg["m"] or 0)
    run.reserved_tokens = int(agg["r"] or 0)
    run.approvals_needed = _approvals_needed(run.total_minor)


def _locked_run(run_id: str) -> PayoutRun:
    run = PayoutRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None:
        raise errors.PayoutRunNotFound()
    return run


# --- review ----------------------------------------------------------------------------------------------------


def payout_item_review(*, actor: User, item_id: str, release: bool, reason: str, ip: str = "") -> PayoutItem:
    """A line held for review: `release` pays it in this run (if the run has not gone out), else it stays held and
    its money stays in earnings for a later run. Either way the reason is recorded and audited."""
    require_perm(actor, Perm.PAYOUTS_MANAGE)
    reason = " ".join((reason or "").split())
    if not reason:
        raise errors.ReasonRequired()
    with transaction.atomic():
        item = PayoutItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None:
            raise errors.PayoutItemNotFound()
        run = _locked_run(item.run_id)
        if item.status != ST.REVIEW:
            raise errors.PayoutItemNotInReview(extra={"status": item.status})
        if release:
            if run.status not in OPEN_STATUSES:
                raise errors.PayoutRunClosed(extra={"status": run.status})
            method = current_methods([item.performer_id]).get(str(item.performer_id))
            if method is None:
                raise errors.PayoutItemNotPayable(extra={"reason": "payouts.no_payout_method"})
            reserve = item.matured_tokens * run.reserve_bp // 10_000
            pay = item.matured_tokens - reserve
            wallet.earnings_lock([str(item.performer_id)])
            wallet.payout_post(
                key=f"payout-item:{item.pk}",
                run_id=run.pk,
                moves=[wallet.PayoutMove(performer_id=str(item.performer_id), pay=pay, reserve=reserve)],
                memo="Payout released after review",
            )
            item.status, item.reserve_tokens, item.amount_tokens = ST.PENDING, reserve, pay
            item.amount_minor = pay * run.rate_minor
            item.method, item.method_kind = method, method.kind
            item.reserve_release_at = run.period_end + timedelta(days=run.reserve_days) if reserve else None
        item.reviewed_by_label = actor.login
        item.outcome_reason = reason[:200]
        item.save()
        if release:
            before = run.approvals_needed
            _totals(run)
            if run.status == PayoutRun.Status.APPROVED and run.approvals_needed > before:
                run.status = PayoutRun.Status.AWAITING_APPROVAL  # now above the four-eyes total: a second look
            run.save()
        audit_record(
            actor=actor,
            action="payouts.item_released" if release else "payouts.item_kept",
            target_type="payouts.item",
            target_id=item.pk,
            ip=ip,
            data={"run": run.pk, "performer": str(item.performer_id), "tokens": item.matured_tokens, "reason": reason},
        )
        _publish(run, "item_released" if release else "item_kept")
    return item


# --- approval --------------------------------------------------------------------------------------------------


def payout_run_approve(*, actor: User, run_id: str, ip: str = "") -> PayoutRun:
    """One approval. Above the four-eyes total the run needs two, from two different people."""
    require_perm(actor, Perm.PAYOUTS_MANAGE)
    with transaction.atomic():
        run = _locked_run(run_id)
        if run.status != PayoutRun.Status.AWAITING_APPROVAL:
            raise errors.PayoutRunNotAwaitingApproval(extra={"status": run.status})
        if PayoutApproval.objects.filter(run=run, approver=actor).exists():
            raise errors.AlreadyApproved(extra={"approvals_needed": run.approvals_needed})
        PayoutApproval.objects.create(run=run, approver=actor, approver_label=actor.login)
        given = PayoutApproval.objects.filter(run=run).count()
        if given >= run.approvals_needed:
            run.status = PayoutRun.Status.APPROVED
            run.save(update_fields=["status", "updated_at"])
        _audit(actor, "payouts.run_approved", run, ip, approvals=given, needed=run.approvals_needed)
        _publish(run, "approved")
    return run


# --- sending ---------------------------------------------------------------------------------------------------


def _line(item: PayoutItem, run: PayoutRun) -> PayoutLine:
    method = item.method
    assert method is not None, f"payout {item.pk} has no locked method"
    details = method.details_dict
    destination: BankAccount | EWalletAccount | BitcoinAddress
    if method.kind == PayoutMethod.Kind.SEPA:
        destination = BankAccount(iban=details.get("iban", ""), bic=details.get("bic", ""))
    elif method.kind == PayoutMethod.Kind.EWALLET:
        destination = EWalletAccount(email=details.get("email", ""))
    else:
        destination = BitcoinAddress(address=details.get("address", ""))
    return PayoutLine(
        end_to_end_id=item.pk,
        payee_name=method.holder_name,
        amount_minor=item.amount_minor,
        currency=run.currency,
        destination=destination,
        remittance=f"Stagedoor payout {run.period_start:%Y-%m-%d} to {run.period_end:%Y-%m-%d}",
    )


def _debtor() -> SepaDebtor:
    return SepaDebtor(
        name=conf.text("sepa_debtor_name"), iban=conf.text("sepa_debtor_iban"), bic=conf.text("sepa_debtor_bic")
    )


def _file(run: PayoutRun, kind: str, items: list[PayoutItem]) -> PayoutFile | None:
    if not items:
        return None
    batch_id = f"{run.pk}-{kind[:2].upper()}"
    existing = PayoutFile.objects.filter(batch_id=batch_id).first()
    if existing is not None:
        return existing
    batch = PayoutBatch(
        batch_id=batch_id,
        execution_date=_next_business_day(timezone.now().date()),
        created_at=timezone.now(),
        lines=tuple(_line(item, run) for item in items),
    )
    if kind == PayoutMethod.Kind.SEPA:
        content = sepa_credit_transfer(batch, _debtor())
        validate_pain001(content)
        filename = f"stagedoor-{run.period_end:%Y%m%d}-{run.pk}.pain.001.xml"
    else:
        content = ewallet_mass_payment_csv(batch)
        filename = f"stagedoor-{run.period_end:%Y%m%d}-{run.pk}.ewallet.csv"
    return PayoutFile.objects.create(
        run=run,
        kind=kind,
        batch_id=batch_id,
        filename=filename,
        content=content.decode("utf-8"),
        sha256=hashlib.sha256(content).hexdigest(),
        lines=len(items),
        total_minor=batch.total_minor,
    )


def _next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def payout_run_send(*, actor: User, run_id: str, ip: str = "") -> PayoutRun:
    """Build the SEPA and e-wallet files (validated; the SEPA file against the ISO 20022 schema) and submit crypto
    lines to BTCPay. A file that cannot be built (a bad IBAN, a currency SEPA does not pay) refuses the whole send
    with its error and nothing changes; BTCPay being down leaves its lines to send again, BTCPay refusing a line
    fails it (the performer is re-credited)."""
    require_perm(actor, Perm.PAYOUTS_MANAGE)
    with transaction.atomic():
        run = _locked_run(run_id)
        if run.status not in (PayoutRun.Status.APPROVED, PayoutRun.Status.SENT):
            raise errors.PayoutRunNotApproved(extra={"status": run.status})
        pending = list(
            PayoutItem.objects.select_for_update(of=("self",))
            .filter(run=run, status=ST.PENDING)
            .select_related("method")
        )
        by_kind: dict[str, list[PayoutItem]] = {}
        for item in pending:
            by_kind.setdefault(item.method_kind, []).append(item)
        try:
            files = [_file(run, kind, by_kind.get(kind, [])) for kind in (PayoutMethod.Kind.SEPA, "ewallet")]
        except PayoutFileError as exc:
            raise errors.PayoutFileRefused(exc.message, extra={"code": exc.code, **(exc.extra or {})}) from None
        filed = [i.pk for k in (PayoutMethod.Kind.SEPA, PayoutMethod.Kind.EWALLET) for i in by_kind.get(k, [])]
        PayoutItem.objects.filter(pk__in=filed).update(status=ST.SENT, updated_at=timezone.now())
    crypto = by_kind.get(PayoutMethod.Kind.CRYPTO, [])
    unsent, failed = _send_crypto(run, crypto) if crypto else (0, 0)
    with transaction.atomic():
        run = _locked_run(run_id)
        if unsent == 0:
            run.status = PayoutRun.Status.SENT
            run.sent_at = run.sent_at or timezone.now()
            run.save(update_fields=["status", "sent_at", "updated_at"])
        _audit(
            actor,
            "payouts.run_sent",
            run,
            ip,
            files=[f.filename for f in files if f is not None],
            crypto_sent=len(crypto) - unsent - failed,
            crypto_failed=failed,
            crypto_unsent=unsent,
        )
        _publish(run, "sent")
    run_close_if_done(run.pk)
    return PayoutRun.objects.get(pk=run.pk)


def _send_crypto(run: PayoutRun, items: list[PayoutItem]) -> tuple[int, int]:
    try:
        client = BTCPayPayouts.from_settings()
    except BTCPayPayoutError:
        return len(items), 0
    unsent = failed = 0
    for item in items:
        try:
            payout = client.payout_create(_line(item, run))
        except BTCPayUnavailable:
            unsent += 1
            continue
        except (BTCPayPayoutError, PayoutFileError) as exc:
            items_settle(run_id=run.pk, outcomes=[(item.pk, "failed", exc.message[:200])], source="btcpay")
            failed += 1
            continue
        PayoutItem.objects.filter(pk=item.pk, status=ST.PENDING).update(
            status=ST.SENT, external_id=payout.btcpay_id, updated_at=timezone.now()
        )
    return unsent, failed


# --- cancelling ------------------------------------------------------------------------------------------------


def payout_run_cancel(*, actor: User, run_id: str, reason: str, ip: str = "") -> PayoutRun:
    """Cancel a run that has not gone out: every line's tokens go back to earnings (paid in a later run)."""
    require_perm(actor, Perm.PAYOUTS_MANAGE)
    reason = " ".join((reason or "").split())
    if not reason:
        raise errors.ReasonRequired()
    with transaction.atomic():
        run = _locked_run(run_id)
        if (
            run.status not in OPEN_STATUSES
            or PayoutItem.objects.filter(run=run).filter(~Q(status__in=_UNSENT)).exists()
        ):
            raise errors.PayoutRunClosed(extra={"status": run.status})
        pending = list(PayoutItem.objects.select_for_update().filter(run=run, status=ST.PENDING))
        moves = [
            wallet.PayoutMove(performer_id=str(i.performer_id), pay=i.amount_tokens, reserve=i.reserve_tokens)
            for i in pending
        ]
        wallet.payout_cancel(key=f"payout-cancel:{run.pk}", run_id=run.pk, moves=moves, memo=reason[:200])
        PayoutItem.objects.filter(pk__in=[i.pk for i in pending]).update(
            status=ST.CANCELLED, reserve_released=True, outcome_reason=reason[:200], updated_at=timezone.now()
        )
        run.status = PayoutRun.Status.CANCELLED
        run.save(update_fields=["status", "updated_at"])
        _audit(actor, "payouts.run_cancelled", run, ip, reason=reason, lines=len(pending))
        _publish(run, "cancelled")
    return run


_UNSENT = [ST.PENDING, ST.REVIEW, ST.BLOCKED, ST.BELOW_MINIMUM, ST.CANCELLED]
