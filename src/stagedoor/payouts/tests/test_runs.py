"""Payout runs end to end through the services: matured minus reserve moved to clearing, blockers and the minimum,
review holds, four-eyes, the SEPA file against the schema, bank reports and returns back into the ledger, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from stagedoor.core.ids import new_id
from stagedoor.core.models import AuditEntry
from stagedoor.payouts import errors, services
from stagedoor.payouts.files.sepa import validate_pain001
from stagedoor.payouts.models import PayoutItem, PayoutRun
from stagedoor.payouts.tests.helpers import IBAN, backdate, performer_named
from stagedoor.payouts.tests.test_files_reconcile import block, camt054, entry, pain002, tx
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet import services as wallet
from stagedoor.wallet.models import AccountKind
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = pytest.mark.django_db
ST = PayoutItem.Status


@pytest.fixture(autouse=True)
def _payout_settings(settings: Any) -> None:
    settings.STAGEDOOR_WALLET_PAYOUT_CURRENCY = "EUR"
    settings.STAGEDOOR_WALLET_PAYOUT_RATE_MINOR = 5
    settings.STAGEDOOR_WALLET_HOLD_DAYS = 7
    settings.STAGEDOOR_WALLET_PERFORMER_SHARE_BP = 6000
    settings.STAGEDOOR_PAYOUTS_MINIMUM_TOKENS = 100
    settings.STAGEDOOR_PAYOUTS_RESERVE_BP = 1000
    settings.STAGEDOOR_PAYOUTS_RESERVE_DAYS = 30
    settings.STAGEDOOR_PAYOUTS_FOUR_EYES_ABOVE_MINOR = 10**9
    settings.STAGEDOOR_PAYOUTS_REVIEW_MIN_TOKENS = 10**9  # review rules off unless a test turns them on


def _balance(user: Any, kind: str = AccountKind.PERFORMER_EARNINGS) -> int:
    return wallet_selectors.balance_of(wallet_selectors.account_of(user, kind))


def _system(kind: str) -> int:
    from stagedoor.wallet.models import LedgerAccount

    return wallet_selectors.balance_of(LedgerAccount.objects.filter(kind=kind, owner__isnull=True).first())


def _tip(viewer: Any, performer: Any, amount: int, days_before_end: float, end: Any) -> int:
    tip = wallet.tip_send(sender=viewer, performer=performer, amount=amount, idempotency_key=new_id())
    backdate(tip.transfer_id, end - timedelta(days=days_before_end))
    return int(tip.performer_amount)


def _paid_performer(make_user: Any, name: str) -> Any:
    performer = performer_named(make_user, name)
    services.payout_method_set(performer=performer, kind="sepa", holder_name=name, fields={"iban": IBAN, "bic": ""})
    return performer


def _period() -> tuple[Any, Any]:
    return services.period_of(timezone.now())


def _lena_matured(make_user: Any) -> tuple[Any, Any]:
    """Lena, paid by SEPA, with one 1000-token tip (600 to her) matured 20 days before the last period's end."""
    lena = _paid_performer(make_user, "Lena Marie Vogt")
    viewer = make_user("viewer")
    fund_wallet(viewer, 10_000)
    _start, end = _period()
    _tip(viewer, lena, 1000, 20, end)
    return lena, end


def test_a_run_pays_matured_earnings_minus_the_reserve_once(make_user: Any) -> None:
    finance = make_user("finance")
    lena = _paid_performer(make_user, "Lena Marie Vogt")
    viewer = make_user("viewer")
    fund_wallet(viewer, 10_000)
    start, end = _period()
    matured = _tip(viewer, lena, 1000, 20, end)  # 600 to Lena
    held = _tip(viewer, lena, 500, 2, end)  # inside the 7 hold days at the period's end
    late = _tip(viewer, lena, 300, -0.01, end)  # after the period: not this run's
    assert (matured, held, late) == (600, 300, 180)
    run, created = services.payout_run_create(actor=finance)
    assert created and (run.period_start, run.period_end) == (start, end)
    [item] = PayoutItem.objects.filter(run=run)
    assert (item.status, item.matured_tokens, item.held_tokens) == (ST.PENDING, 600, 300)
    assert (item.reserve_tokens, item.amount_tokens, item.amount_minor) == (60, 540, 540 * 5)
    assert item.method is not None and item.method_kind == "sepa"
    assert (run.total_tokens, run.total_minor, run.reserved_tokens, run.approvals_needed) == (540, 2700, 60, 1)
    assert _balance(lena) == 300 + 180
    assert _balance(lena, AccountKind.PERFORMER_RESERVE) == 60
    assert _system(AccountKind.PAYOUT_CLEARING) == 540
    again, created_again = services.payout_run_create(actor=finance)
    assert (again.pk, created_again) == (run.pk, False)
    assert _balance(lena) == 480 and _system(AccountKind.PAYOUT_CLEARING) == 540
    assert ledger_problems() == []
    assert AuditEntry.objects.filter(action="payouts.run_created", target_id=run.pk).count() == 1


def test_blocked_below_minimum_and_carry_over(make_user: Any, settings: Any) -> None:
    finance = make_user("finance")
    nomethod = performer_named(make_user, "Ines Nomethod")
    small = _paid_performer(make_user, "Sara Small")
    viewer = make_user("viewer")
    fund_wallet(viewer, 10_000)
    _start, end = _period()
    _tip(viewer, nomethod, 1000, 10, end)
    _tip(viewer, small, 100, 10, end)  # 60 tokens: under the minimum of 100
    run, _ = services.payout_run_create(actor=finance)
    items = {i.performer_id: i for i in PayoutItem.objects.filter(run=run)}
    assert items[nomethod.pk].status == ST.BLOCKED
    assert [r["code"] for r in items[nomethod.pk].reasons] == ["payouts.no_payout_method"]
    assert items[small.pk].status == ST.BELOW_MINIMUM and items[small.pk].amount_tokens == 0
    assert (_balance(nomethod), _balance(small)) == (600, 60)  # nothing moved: carried over
    assert run.total_tokens == 0 and ledger_problems() == []


def test_four_eyes_send_sepa_then_reports_settle_once(make_user: Any, settings: Any) -> None:
    settings.STAGEDOOR_PAYOUTS_FOUR_EYES_ABOVE_MINOR = 1000
    alice, bob = make_user("finance"), make_user("finance")
    lena, _end = _lena_matured(make_user)
    run, _ = services.payout_run_create(actor=alice)
    assert run.approvals_needed == 2
    with pytest.raises(errors.PayoutRunNotApproved):
        services.payout_run_send(actor=alice, run_id=run.pk)
    services.payout_run_approve(actor=alice, run_id=run.pk)
    with pytest.raises(errors.AlreadyApproved):
        services.payout_run_approve(actor=alice, run_id=run.pk)
    assert PayoutRun.objects.get(pk=run.pk).status == PayoutRun.Status.AWAITING_APPROVAL
    services.payout_run_approve(actor=bob, run_id=run.pk)
    run = services.payout_run_send(actor=bob, run_id=run.pk)
    assert run.status == PayoutRun.Status.SENT
    [file] = run.files.all()
    validate_pain001(file.content.encode())
    [item] = PayoutItem.objects.filter(run=run)
    assert item.status == ST.SENT and item.pk in file.content and "DE89370400440532013000" in file.content
    report = pain002("", block("", tx(item.pk, "ACSC")), msg=file.batch_id)
    result = services.payout_report_apply(actor=bob, content=report, kind="status")
    assert result.applied == {"paid": 1}
    assert _system(AccountKind.PAID_OUT) == 540 and _system(AccountKind.PAYOUT_CLEARING) == 0
    assert PayoutRun.objects.get(pk=run.pk).status == PayoutRun.Status.RECONCILED
    replay = services.payout_report_apply(actor=bob, content=report, kind="status")
    assert replay.applied == {} and replay.unchanged == [{"id": item.pk, "status": ST.PAID, "outcome": "paid"}]
    before = _balance(lena)
    returned = services.payout_report_apply(
        actor=bob, content=camt054(entry(item.pk, "DBIT", reason="AC04")), kind="return"
    )
    assert returned.applied == {"returned": 1}
    assert _balance(lena) == before + 540 and _system(AccountKind.PAID_OUT) == 0
    assert PayoutItem.objects.get(pk=item.pk).outcome_reason == "AC04"
    assert ledger_problems() == []


def test_report_for_an_unknown_batch_changes_nothing(make_user: Any) -> None:
    from stagedoor.payouts.files.errors import ReportUnknownBatch

    finance = make_user("finance")
    with pytest.raises(ReportUnknownBatch):
        services.payout_report_apply(actor=finance, content=pain002("<GrpSts>ACCP</GrpSts>"), kind="status")
    assert not AuditEntry.objects.filter(action="payouts.report_applied").exists()


def test_details_changed_during_a_run_use_the_locked_version_and_tell_the_performer(
    make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    finance = make_user("finance")
    lena, _end = _lena_matured(make_user)
    run, _ = services.payout_run_create(actor=finance)
    services.payout_method_set(
        performer=lena, kind="sepa", holder_name="Lena Marie Vogt", fields={"iban": "GB33BUKB20201555555555", "bic": ""}
    )
    mail.outbox.clear()
    from stagedoor.payouts.models import PayoutMethod

    services.payout_method_changed_during_run(
        performer=lena, method=PayoutMethod.objects.get(performer=lena, superseded_at__isnull=True)
    )
    [notice] = mail.outbox
    assert "DE89 •••• 3000" in notice.body and "next run" in notice.body
    services.payout_run_approve(actor=finance, run_id=run.pk)
    run = services.payout_run_send(actor=finance, run_id=run.pk)
    [file] = run.files.all()
    assert "DE89370400440532013000" in file.content and "GB33BUKB20201555555555" not in file.content


def test_a_currency_sepa_cannot_pay_refuses_the_send_and_changes_nothing(make_user: Any, settings: Any) -> None:
    settings.STAGEDOOR_WALLET_PAYOUT_CURRENCY = "USD"
    finance = make_user("finance")
    _lena, _end = _lena_matured(make_user)
    run, _ = services.payout_run_create(actor=finance)
    services.payout_run_approve(actor=finance, run_id=run.pk)
    with pytest.raises(errors.PayoutFileRefused) as refused:
        services.payout_run_send(actor=finance, run_id=run.pk)
    assert "USD" in refused.value.message
    assert PayoutItem.objects.get(run=run).status == ST.PENDING and not run.files.exists()
    assert PayoutRun.objects.get(pk=run.pk).status == PayoutRun.Status.APPROVED


def test_cancel_puts_everything_back(make_user: Any) -> None:
    finance = make_user("finance")
    lena, _end = _lena_matured(make_user)
    run, _ = services.payout_run_create(actor=finance)
    with pytest.raises(errors.ReasonRequired):
        services.payout_run_cancel(actor=finance, run_id=run.pk, reason=" ")
    services.payout_run_cancel(actor=finance, run_id=run.pk, reason="Wrong debtor account")
    assert _balance(lena) == 600 and _balance(lena, AccountKind.PERFORMER_RESERVE) == 0
    assert _system(AccountKind.PAYOUT_CLEARING) == 0
    assert PayoutItem.objects.get(run=run).status == ST.CANCELLED and ledger_problems() == []


def test_new_accounts_hold_the_payout_for_review_until_released(make_user: Any, settings: Any) -> None:
    settings.STAGEDOOR_PAYOUTS_REVIEW_MIN_TOKENS = 100
    finance = make_user("finance")
    lena = _paid_performer(make_user, "Lena Marie Vogt")
    viewer = make_user("viewer")  # created now: a new account
    fund_wallet(viewer, 10_000)
    _start, end = _period()
    _tip(viewer, lena, 1000, 3.5, end)
    settings.STAGEDOOR_WALLET_HOLD_DAYS = 1
    run, _ = services.payout_run_create(actor=finance)
    [item] = PayoutItem.objects.filter(run=run)
    # a first earning period is a spike against nothing before, and all of it came from an account made this week
    assert item.status == ST.REVIEW
    assert [r["code"] for r in item.reasons] == ["payouts.review_spike", "payouts.review_new_accounts"]
    assert _balance(lena) == 600  # nothing moved
    released = services.payout_item_review(actor=finance, item_id=item.pk, release=True, reason="Known regular")
    assert (released.status, released.amount_tokens, released.reserve_tokens) == (ST.PENDING, 540, 60)
    assert _balance(lena) == 0 and _system(AccountKind.PAYOUT_CLEARING) == 540
    assert PayoutRun.objects.get(pk=run.pk).total_tokens == 540 and ledger_problems() == []


def test_reserves_are_released_to_earnings_when_due(make_user: Any) -> None:
    finance = make_user("finance")
    lena, end = _lena_matured(make_user)
    run, _ = services.payout_run_create(actor=finance)
    assert services.reserves_release_due(at=timezone.now(), key="early") == 0
    released = services.reserves_release_due(at=end + timedelta(days=30), key="due")
    assert released == 60 and _balance(lena, AccountKind.PERFORMER_RESERVE) == 0 and _balance(lena) == 60
    assert PayoutItem.objects.get(run=run).reserve_released and ledger_problems() == []
