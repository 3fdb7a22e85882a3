"""Staff console sections of the wallet: token packages and promotional tokens."""

from __future__ import annotations

import re
from typing import Any

import pytest

from stagedoor.core.models import AuditEntry
from stagedoor.wallet import codes, selectors
from stagedoor.wallet.models import LedgerTransfer, TokenPackage, TransferKind
from stagedoor.web.tests.console_helpers import staff

pytestmark = pytest.mark.django_db

NEW = {"new-name": "Starter", "new-tokens": "100", "new-price": "9.99", "new-currency": "usd", "new-position": "1"}


def _audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- packages --------------------------------------------------------------------------------


def test_create_a_package(make_user: Any) -> None:
    actor, client = staff(make_user, "finance")
    response = client.post("/staff/packages/", NEW | {"new-active": "on"}, follow=True)
    assert _messages(response) == ["Package “Starter” created."]
    [package] = TokenPackage.objects.all()
    assert (package.name, package.tokens, package.price_minor, package.currency, package.position, package.active) == (
        "Starter",
        100,
        999,
        "USD",
        1,
        True,
    )
    [entry] = _audit(codes.AUDIT_PACKAGE_CREATED)
    assert (entry.actor_id, entry.target_id, entry.data["price_minor"]) == (actor.pk, package.pk, 999)
    assert 'data-testid="package-starter"' in response.content.decode()
    assert "9.99 USD" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("new-price", "9.999", "at most 2 decimals"),
        ("new-price", "-1", "Use a price such as 9.99"),
        ("new-price", "0", "Use a price above zero."),
        ("new-price", "2000000", "Use a whole number from 1 to 100000000."),
        ("new-tokens", "0", "greater than or equal to 1"),
        ("new-currency", "U$D", "3-letter ISO 4217"),
        ("new-name", "", "This field is required"),
    ],
)
def test_a_bad_package_is_refused_and_nothing_is_created(make_user: Any, field: str, value: str, error: str) -> None:
    _, client = staff(make_user, "finance")
    response = client.post("/staff/packages/", NEW | {field: value})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert TokenPackage.objects.count() == 0
    assert _audit(codes.AUDIT_PACKAGE_CREATED) == []


def test_edit_a_package_price_and_take_it_off_sale(make_user: Any) -> None:
    actor, client = staff(make_user, "finance")
    client.post("/staff/packages/", NEW | {"new-active": "on"})
    package = TokenPackage.objects.get()
    form = client.get(f"/staff/packages/{package.pk}/")
    assert form.status_code == 200
    assert 'value="9.99"' in form.content.decode()
    edit = {"edit-name": "Starter", "edit-tokens": "120", "edit-price": "12.50", "edit-currency": "USD"}
    response = client.post(f"/staff/packages/{package.pk}/", edit | {"edit-position": "2"}, follow=True)
    assert _messages(response) == ["Package “Starter” saved."]
    package.refresh_from_db()
    assert (package.tokens, package.price_minor, package.position, package.active) == (120, 1250, 2, False)
    assert list(selectors.packages_on_sale()) == []
    [entry] = _audit(codes.AUDIT_PACKAGE_UPDATED)
    assert entry.actor_id == actor.pk
    assert entry.data["before"]["price_minor"] == 999 and entry.data["after"]["price_minor"] == 1250
    assert entry.data["after"]["active"] is False

    response = client.post(f"/staff/packages/{package.pk}/", edit | {"edit-position": "x"})
    assert response.status_code == 400
    package.refresh_from_db()
    assert package.position == 2
    assert client.get("/staff/packages/01AAAAAAAAAAAAAAAAAAAAAAAA/").status_code == 404


def test_support_cannot_manage_packages(make_user: Any) -> None:
    _, client = staff(make_user, "support_l2")
    assert client.post("/staff/packages/", NEW).status_code == 403
    assert TokenPackage.objects.count() == 0


# --- promotions ------------------------------------------------------------------------------


def _form_key(client: Any) -> str:
    page = client.get("/staff/promotions/")
    found = re.search(r'name="idempotency_key" value="([^"]+)"', page.content.decode())
    assert found is not None
    return found.group(1)


def test_grant_promotional_tokens_once_even_when_submitted_twice(make_user: Any) -> None:
    lucky = make_user("viewer", login="lucky")
    actor, client = staff(make_user, "finance")
    key = _form_key(client)
    assert key != _form_key(client)  # a new key for every form shown
    form = {"user": "lucky", "tokens": "50", "reason": "Welcome back", "idempotency_key": key}
    first = client.post("/staff/promotions/", form, follow=True)
    [transfer] = LedgerTransfer.objects.filter(kind=TransferKind.PROMOTION)
    assert _messages(first) == [f"50 tokens granted to lucky (transfer {transfer.pk})."]
    again = client.post("/staff/promotions/", form, follow=True)  # the double submit
    assert _messages(again) == [f"50 tokens granted to lucky (transfer {transfer.pk})."]
    assert selectors.wallet_balance(lucky) == 50
    assert LedgerTransfer.objects.filter(kind=TransferKind.PROMOTION).count() == 1
    [entry] = _audit(codes.AUDIT_PROMO_GRANTED)
    assert (entry.actor_id, entry.target_id, entry.data) == (
        actor.pk,
        lucky.pk,
        {"tokens": 50, "reason": "Welcome back"},
    )
    recent = again.context["recent"]
    assert [(p.user_login, p.tokens, p.reason, p.actor_login) for p in recent] == [
        ("lucky", 50, "Welcome back", actor.login)
    ]

    # a new form (new key) grants again; by id works as well as by login
    form2 = form | {"user": lucky.pk, "tokens": "5", "idempotency_key": _form_key(client)}
    client.post("/staff/promotions/", form2)
    assert selectors.wallet_balance(lucky) == 55


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"user": "nobody"}, "Nobody has that login or id."),
        ({"tokens": "0"}, "greater than or equal to 1"),
        ({"tokens": "2000000"}, "less than or equal to 1000000"),
        ({"reason": ""}, "This field is required"),
        ({"idempotency_key": "short"}, "idempotency"),
    ],
)
def test_a_bad_grant_moves_nothing(make_user: Any, change: dict[str, str], error: str) -> None:
    lucky = make_user("viewer", login="lucky")
    _, client = staff(make_user, "finance")
    form = {"user": "lucky", "tokens": "50", "reason": "Welcome back", "idempotency_key": _form_key(client)}
    response = client.post("/staff/promotions/", form | change)
    assert response.status_code == 400
    assert error.lower() in response.content.decode().lower()
    assert selectors.wallet_balance(lucky) == 0
    assert _audit(codes.AUDIT_PROMO_GRANTED) == []


def test_support_cannot_grant(make_user: Any) -> None:
    lucky = make_user("viewer", login="lucky")
    _, client = staff(make_user, "support_l2")
    form = {"user": "lucky", "tokens": "50", "reason": "x", "idempotency_key": "k-0123456789"}
    assert client.post("/staff/promotions/", form).status_code == 403
    assert selectors.wallet_balance(lucky) == 0
    assert _audit(codes.AUDIT_PROMO_GRANTED) == []
