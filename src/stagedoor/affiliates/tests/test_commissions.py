"""Commissions: earned from referred viewers' purchases under the sign-up's plan, accrued into the affiliate's
payables in the ledger, maturing like earnings; voided (and reversed) on refund or chargeback; a chargeback holds
the referral; staff release or void held ones, audited; nothing moves twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.affiliates import errors, selectors, services
from stagedoor.affiliates.models import Affiliate, Commission, CommissionPlan, Referral
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.core.outbox import outbox_dispatch
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet import services as wallet
from stagedoor.wallet.models import AccountKind, LedgerTransfer, TransferKind

pytestmark = pytest.mark.django_db


def payables(affiliate: Affiliate) -> int:
    return wallet_selectors.balance_of(wallet_selectors.account_of(affiliate.user, AccountKind.AFFILIATE_PAYABLES))


def platform() -> int:
    from stagedoor.wallet.models import LedgerAccount

    return wallet_selectors.balance_of(LedgerAccount.objects.filter(kind=AccountKind.PLATFORM_REVENUE).first())


def test_a_referred_viewers_purchase_accrues_a_revenue_share_that_matures(
    partner: Affiliate, referred: Callable[..., Any], buy: Callable[..., str], settings: Any
) -> None:
    settings.STAGEDOOR_WALLET_HOLD_DAYS = 7
    viewer = referred("partnerco", "rita_buyer")
    purchase = buy(viewer, 1000)
    commission = Commission.objects.get()
    assert (commission.purchase_id, commission.kind, commission.base_tokens, commission.tokens, commission.status) == (
        purchase,
        "revshare",
        1000,
        250,
        "accrued",
    )
    transfer = LedgerTransfer.objects.get(pk=commission.transfer_id)
    assert (
        transfer.kind == TransferKind.AFFILIATE_COMMISSION
        and transfer.idempotency_key == f"affiliate:affcom.{commission.pk}"
    )
    assert payables(partner) == 250 and platform() == -250
    assert commission.matures_at - commission.created_at == timedelta(days=7)
    earnings = selectors.earnings_of(partner)
    assert (earnings.accrued, earnings.maturing, earnings.payable, earnings.held, earnings.ledger_balance) == (
        250,
        250,
        0,
        0,
        250,
    )
    later = selectors.earnings_of(partner, now=commission.matures_at + timedelta(seconds=1))
    assert (later.maturing, later.payable) == (0, 250)
    # the outbox delivers the event again (a crash, a sweep): nothing more
    event = OutboxEvent.objects.get(topic="wallet.credited")
    OutboxEvent.objects.filter(pk=event.pk).update(dispatched_at=None)
    outbox_dispatch(event.pk)
    services.commission_on_purchase(user_id=viewer.pk, purchase_id=purchase, tokens=1000, transfer_id="x" * 26)
    assert Commission.objects.count() == 1 and payables(partner) == 250
    # a buyer nobody referred earns nobody anything
    assert selectors.referral_of(partner.user.pk) is None


def test_the_revenue_share_ends_after_its_months(
    partner: Affiliate, referred: Callable[..., Any], buy: Callable[..., str]
) -> None:
    viewer = referred("partnerco", "mona_months")
    Referral.objects.update(signed_up_at=timezone.now() - timedelta(days=95))  # the plan: 3 months
    buy(viewer, 1000)
    assert Commission.objects.count() == 0 and payables(partner) == 0
    assert services.add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert services.add_months(datetime(2026, 11, 30, tzinfo=UTC), 3) == datetime(2027, 2, 28, tzinfo=UTC)


def test_cpa_pays_once_on_the_first_purchase(
    make_user: Callable[..., Any],
    finance: Any,
    cpa: CommissionPlan,
    referred: Callable[..., Any],
    buy: Callable[..., str],
) -> None:
    affiliate = services.affiliate_create(actor=finance, user=make_user(login="cpaco"), plan_id=cpa.pk, code="cpaco")
    viewer = referred("cpaco", "carl_cpa")
    buy(viewer, 100)
    buy(viewer, 5000)
    assert list(Commission.objects.values_list("kind", "base_tokens", "tokens", "status")) == [
        ("cpa", 100, 300, "accrued")
    ]
    assert payables(affiliate) == 300


def test_a_refund_voids_the_commission_and_reverses_it_in_the_ledger(
    partner: Affiliate, referred: Callable[..., Any], buy: Callable[..., str], capture: Any, finance: Any
) -> None:
    viewer = referred("partnerco", "rolf_refund")
    purchase = buy(viewer, 400)
    with capture(execute=True):
        wallet.purchase_refund(purchase_id=purchase, buyer=viewer, actor=finance, reason="asked nicely")
    commission = Commission.objects.get()
    assert (commission.status, commission.reason) == ("voided", "purchase refunded")
    reversal = LedgerTransfer.objects.get(pk=commission.reversal_id)
    assert reversal.reverses_id == commission.transfer_id
    assert payables(partner) == 0 and platform() == 0
    assert Referral.objects.get().hold == ""  # a refund is no fraud signal


def test_a_chargeback_voids_its_commission_and_holds_the_referral(
    partner: Affiliate, referred: Callable[..., Any], buy: Callable[..., str], capture: Any
) -> None:
    viewer = referred("partnerco", "cora_charge")
    kept = buy(viewer, 200)
    charged = buy(viewer, 800)
    with capture(execute=True):
        wallet.purchase_chargeback(purchase_id=charged, buyer=viewer, reason="fraud")
    by_purchase = {c.purchase_id: c for c in Commission.objects.all()}
    assert (by_purchase[charged].status, by_purchase[charged].reversal_id != "") == ("voided", True)
    assert (by_purchase[kept].status, by_purchase[kept].reason) == ("held", "Chargeback")
    assert by_purchase[kept].transfer_id  # held after accrual: still in the ledger, not payable
    assert Referral.objects.get().hold == Referral.Hold.CHARGEBACK
    assert payables(partner) == 50
    # later purchases are held, and not accrued until staff release them
    later = buy(viewer, 400)
    held = Commission.objects.get(purchase_id=later)
    assert (held.status, held.transfer_id, held.tokens) == ("held", "", 100)
    assert payables(partner) == 50
    assert selectors.earnings_of(partner).held == 150


def test_a_purchase_reversed_before_its_commission_is_voided_from_the_start(
    partner: Affiliate, referred: Callable[..., Any], capture: Any
) -> None:
    from stagedoor.core.ids import new_id

    viewer = referred("partnerco", "early_eve")
    purchase = new_id()
    transfer = wallet.purchase_credit(
        buyer=viewer, tokens=600, purchase_id=purchase, price_minor=6000, currency="USD", provider="sandbox"
    )
    wallet.purchase_chargeback(purchase_id=purchase, buyer=viewer, reason="fast fraud")
    # the reversal event is handled first (outbox order is not guaranteed), then the credit
    services.purchase_reversal_apply(user_id=viewer.pk, purchase_id=purchase, kind="chargeback")
    services.commission_on_purchase(user_id=viewer.pk, purchase_id=purchase, tokens=600, transfer_id=transfer.pk)
    commission = Commission.objects.get()
    assert (commission.status, commission.transfer_id) == ("voided", "")
    assert payables(partner) == 0


def test_staff_release_a_held_commission_once_audited(
    partner: Affiliate, referred: Callable[..., Any], buy: Callable[..., str], finance: Any
) -> None:
    viewer = referred("partnerco", "hank_held")
    Referral.objects.update(hold=Referral.Hold.DEVICE_BURST)
    buy(viewer, 1000)
    commission = Commission.objects.get()
    assert (commission.status, commission.reason, payables(partner)) == ("held", "Many sign-ups from one device", 0)
    released = services.commission_release(actor=finance, commission_id=commission.pk, note="same household")
    assert (released.status, released.decided_by, payables(partner)) == ("accrued", finance, 250)
    entry = AuditEntry.objects.get(action="affiliates.commission_released")
    assert (entry.actor_id, entry.target_id, entry.data) == (
        str(finance.pk),
        commission.pk,
        {"tokens": 250, "affiliate": partner.pk, "note": "same household"},
    )
    with pytest.raises(errors.CommissionNotHeld):
        services.commission_release(actor=finance, commission_id=commission.pk)
    assert payables(partner) == 250 and AuditEntry.objects.filter(action="affiliates.commission_released").count() == 1


def test_staff_void_reverses_an_accrued_commission_once_audited(
    partner: Affiliate, referred: Callable[..., Any], buy: Callable[..., str], finance: Any
) -> None:
    viewer = referred("partnerco", "vic_void")
    buy(viewer, 1000)
    commission = Commission.objects.get()
    with pytest.raises(ValidationFailed):
        services.commission_void(actor=finance, commission_id=commission.pk, reason="  ")
    assert Commission.objects.get().status == "accrued" and payables(partner) == 250
    voided = services.commission_void(actor=finance, commission_id=commission.pk, reason="incentivised traffic")
    assert (voided.status, voided.reason, payables(partner), platform()) == ("voided", "incentivised traffic", 0, 0)
    assert AuditEntry.objects.filter(action="affiliates.commission_voided", target_id=commission.pk).count() == 1
    with pytest.raises(errors.CommissionVoided):
        services.commission_void(actor=finance, commission_id=commission.pk, reason="again")
    with pytest.raises(errors.CommissionNotHeld):
        services.commission_release(actor=finance, commission_id=commission.pk)
    assert LedgerTransfer.objects.filter(kind=TransferKind.AFFILIATE_COMMISSION).count() == 2
    assert AuditEntry.objects.filter(action__startswith="affiliates.commission_").count() == 1
    with pytest.raises(errors.CommissionNotFound):
        services.commission_void(actor=finance, commission_id="0" * 26, reason="nothing")
