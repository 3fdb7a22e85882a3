"""On PostgreSQL: racing writers never move money twice or count a click twice. Two staff void one commission at
once; release and void race; the same purchase event is handled by two workers at once; one address floods a link
from many threads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from stagedoor.affiliates import errors, services
from stagedoor.affiliates.models import Affiliate, Click, Commission
from stagedoor.affiliates.tests.conftest import BROWSER_UA
from stagedoor.conftest import race, skip_or_fail
from stagedoor.core.errors import ApplicationError
from stagedoor.core.ids import new_id
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet import services as wallet
from stagedoor.wallet.models import AccountKind, LedgerTransfer, TransferKind

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set STAGEDOOR_DATABASE_URL=postgres://…", need="postgres")


def payables(affiliate: Affiliate) -> int:
    return wallet_selectors.balance_of(wallet_selectors.account_of(affiliate.user, AccountKind.AFFILIATE_PAYABLES))


def referred_buyer(partner: Affiliate, make_user: Callable[..., Any]) -> Any:
    visit = services.Visit("198.51.100.70", BROWSER_UA)
    outcome = services.click_record(code="partnerco", visit=visit)
    user = make_user("viewer", login="rex_race")
    assert services.referral_attribute(user=user, cookie=outcome.cookie, visit=visit) is not None
    return user


def test_two_voids_at_once_reverse_once(partner: Affiliate, make_user: Callable[..., Any], finance: Any) -> None:
    buyer = referred_buyer(partner, make_user)
    wallet.purchase_credit(
        buyer=buyer, tokens=1000, purchase_id=new_id(), price_minor=1, currency="USD", provider="sandbox"
    )
    commission = Commission.objects.get()
    assert payables(partner) == 250
    results = race(
        [
            lambda: services.commission_void(actor=finance, commission_id=commission.pk, reason="race one"),
            lambda: services.commission_void(actor=finance, commission_id=commission.pk, reason="race two"),
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["Commission", "CommissionVoided"]
    assert LedgerTransfer.objects.filter(kind=TransferKind.AFFILIATE_COMMISSION).count() == 2
    assert payables(partner) == 0


def test_release_and_void_at_once_leave_the_ledger_matching_the_status(
    partner: Affiliate, make_user: Callable[..., Any], finance: Any
) -> None:
    buyer = referred_buyer(partner, make_user)
    partner.referrals.update(hold="device_burst")
    wallet.purchase_credit(
        buyer=buyer, tokens=1000, purchase_id=new_id(), price_minor=1, currency="USD", provider="sandbox"
    )
    commission = Commission.objects.get()
    assert (commission.status, payables(partner)) == ("held", 0)
    results = race(
        [
            lambda: services.commission_release(actor=finance, commission_id=commission.pk),
            lambda: services.commission_void(actor=finance, commission_id=commission.pk, reason="race"),
        ]
    )
    assert all(isinstance(r, Commission | ApplicationError) for r in results), results
    final = Commission.objects.get()
    assert final.status in ("accrued", "voided")
    assert payables(partner) == (250 if final.status == "accrued" else 0)


def test_one_purchase_event_handled_twice_at_once_earns_once(partner: Affiliate, make_user: Callable[..., Any]) -> None:
    visit = services.Visit("198.51.100.71", BROWSER_UA)
    outcome = services.click_record(code="partnerco", visit=visit)
    buyer = make_user("viewer", login="twin_workers")
    purchase = new_id()
    # credited before the sign-up is attributed: the after-commit handler finds no referral and earns nothing
    transfer = wallet.purchase_credit(
        buyer=buyer, tokens=1000, purchase_id=purchase, price_minor=1, currency="USD", provider="sandbox"
    )
    assert services.referral_attribute(user=buyer, cookie=outcome.cookie, visit=visit) is not None
    assert Commission.objects.count() == 0

    def handle() -> Any:
        return services.commission_on_purchase(
            user_id=buyer.pk, purchase_id=purchase, tokens=1000, transfer_id=transfer.pk
        )

    results = race([handle, handle, handle])
    assert not any(isinstance(r, Exception) for r in results), results
    assert Commission.objects.count() == 1
    commission = Commission.objects.get()
    assert {r.pk for r in results if r is not None} == {commission.pk}
    assert LedgerTransfer.objects.filter(kind=TransferKind.AFFILIATE_COMMISSION).count() == 1
    assert payables(partner) == 250


def test_a_flood_from_many_threads_is_one_click(partner: Affiliate) -> None:
    visit = services.Visit("198.51.100.88", BROWSER_UA)
    results = race([lambda: services.click_record(code="partnerco", visit=visit) for _ in range(8)])
    assert not any(isinstance(r, Exception) for r in results), results
    assert Click.objects.count() == 1
    assert sum(1 for r in results if r.counted) == 1
    assert {r.click.pk for r in results} == {Click.objects.get().pk}
    assert errors.LinkNotFound.code == "affiliates.link_not_found"
