"""The idempotency rule: a request whose key already produced a result gets that result, whatever changed
since; only a different request under the same key is a conflict (issue 19, defect 1).

Each retry below is the identical request, sent after the tip was charged and its answer lost; before the
fix `tip_send` validated the menu item and the performer before it looked the key up, and refused it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from stagedoor.core.errors import IdempotencyConflict
from stagedoor.core.models import OutboxEvent
from stagedoor.wallet import errors, selectors, services
from stagedoor.wallet.models import LedgerTransfer, Tip
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(make_user: Callable[..., Any]) -> dict[str, Any]:
    performer = make_user("performer", display_name="Star")
    viewer = make_user("viewer")
    fund_wallet(viewer, 1000)
    item = services.tip_menu_item_create(performer=performer, label="Dance", price=50)
    return {"performer": performer, "viewer": viewer, "item": item}


def menu_tip(api: Client, scene: dict[str, Any], key: str = "menu-retry-0001") -> Any:
    return api.post(
        "/api/v1/tips",
        {"performer_id": scene["performer"].pk, "menu_item_id": scene["item"].pk},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def assert_charged_once(scene: dict[str, Any], tip_id: str, amount: int) -> None:
    assert list(Tip.objects.values_list("id", "amount")) == [(tip_id, amount)]
    assert selectors.wallet_balance(scene["viewer"]) == 1000 - amount
    assert OutboxEvent.objects.filter(topic="tip.sent").count() == 1
    assert ledger_problems() == []


def edit_price(scene: dict[str, Any], settings: Any = None) -> None:
    services.tip_menu_item_update(performer=scene["performer"], item_id=scene["item"].pk, price=80)


def deactivate(scene: dict[str, Any], settings: Any = None) -> None:
    services.tip_menu_item_update(performer=scene["performer"], item_id=scene["item"].pk, active=False)


def delete_item(scene: dict[str, Any], settings: Any = None) -> None:
    services.tip_menu_item_delete(performer=scene["performer"], item_id=scene["item"].pk)


def demote(scene: dict[str, Any], settings: Any = None) -> None:
    performer = scene["performer"]
    performer.role = "viewer"
    performer.save(update_fields=["role"])


def deactivate_account(scene: dict[str, Any], settings: Any = None) -> None:
    performer = scene["performer"]
    performer.is_active = False
    performer.save(update_fields=["is_active"])


def lower_max_tip(scene: dict[str, Any], settings: Any = None) -> None:
    settings.STAGEDOOR_WALLET_MAX_TIP = 10  # the `settings` fixture restores it


@pytest.mark.parametrize(
    "change", [edit_price, deactivate, delete_item, demote, deactivate_account, lower_max_tip], ids=lambda f: f.__name__
)
def test_api_retry_after_a_change_returns_the_tip_it_charged(
    scene: dict[str, Any],
    api_client: Callable[..., Client],
    change: Callable[[dict[str, Any], Any], None],
    settings: Any,
) -> None:
    api = api_client(scene["viewer"])
    first = menu_tip(api, scene)
    assert first.status_code == 201, first.content
    change(scene, settings)
    retry = menu_tip(api, scene)
    assert retry.status_code == 201, retry.content
    if change is delete_item:  # the tip stays; its link to the deleted item is cleared (SET_NULL)
        assert retry.json() == {**first.json(), "menu_item_id": None}
    else:
        assert retry.json() == first.json()
    assert_charged_once(scene, first.json()["id"], 50)
    assert api.get("/api/v1/tips/by-key/menu-retry-0001").json()["id"] == first.json()["id"]


def test_a_different_request_under_the_key_is_still_a_conflict_after_a_change(
    scene: dict[str, Any], api_client: Callable[..., Client]
) -> None:
    api = api_client(scene["viewer"])
    first = menu_tip(api, scene)
    edit_price(scene)
    other = api.post(
        "/api/v1/tips",
        {"performer_id": scene["performer"].pk, "menu_item_id": scene["item"].pk, "message": "and a song"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="menu-retry-0001",
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency.key_reused"
    assert_charged_once(scene, first.json()["id"], 50)


def test_a_new_key_gets_todays_rules(scene: dict[str, Any], api_client: Callable[..., Client]) -> None:
    api = api_client(scene["viewer"])
    menu_tip(api, scene)
    edit_price(scene)
    again = menu_tip(api, scene, key="menu-retry-0002")
    assert again.status_code == 201 and again.json()["amount"] == 80
    deactivate(scene)
    refused = menu_tip(api, scene, key="menu-retry-0003")
    assert refused.status_code == 404 and refused.json()["code"] == "wallet.menu_item_not_found"
    assert selectors.wallet_balance(scene["viewer"]) == 1000 - 50 - 80


def test_service_retry_with_an_explicit_amount_after_a_price_change(scene: dict[str, Any]) -> None:
    viewer, performer, item = scene["viewer"], scene["performer"], scene["item"]
    tip = services.tip_send(
        sender=viewer, performer=performer, amount=50, menu_item_id=item.pk, idempotency_key="svc-retry-0001"
    )
    edit_price(scene)  # a menu tip now costs 80: an amount of 50 would be refused for a new key
    again = services.tip_send(
        sender=viewer, performer=performer, amount=50, menu_item_id=item.pk, idempotency_key="svc-retry-0001"
    )
    assert again.pk == tip.pk
    with pytest.raises(errors.InvalidAmount):
        services.tip_send(
            sender=viewer, performer=performer, amount=50, menu_item_id=item.pk, idempotency_key="svc-retry-0002"
        )
    assert_charged_once(scene, tip.pk, 50)


def test_retry_when_the_wallet_is_empty_now_is_still_the_tip(scene: dict[str, Any]) -> None:
    viewer, performer = scene["viewer"], scene["performer"]
    tip = services.tip_send(sender=viewer, performer=performer, amount=1000, idempotency_key="all-in-0001")
    again = services.tip_send(sender=viewer, performer=performer, amount=1000, idempotency_key="all-in-0001")
    assert again.pk == tip.pk and selectors.wallet_balance(viewer) == 0


def test_menu_tips_hashed_the_old_way_still_replay(scene: dict[str, Any]) -> None:
    """Menu tips written before this rule hashed the price charged as the amount; their retries still replay."""
    viewer, performer, item = scene["viewer"], scene["performer"], scene["item"]
    tip = services.tip_send(
        sender=viewer, performer=performer, amount=None, menu_item_id=item.pk, idempotency_key="old-hash-01"
    )
    legacy = {
        "performer": performer.pk,
        "amount": 50,
        "message": "",
        "anonymous": False,
        "menu_item": item.pk,
        "room": "",
    }
    with connection.cursor() as cursor:  # the ledger is append-only for the ORM; this rewrites history on purpose
        cursor.execute(
            f"UPDATE {LedgerTransfer._meta.db_table} SET request_hash = %s WHERE id = %s",  # noqa: S608
            [services.request_hash(legacy), tip.transfer_id],
        )
    edit_price(scene)
    again = services.tip_send(
        sender=viewer, performer=performer, amount=None, menu_item_id=item.pk, idempotency_key="old-hash-01"
    )
    assert again.pk == tip.pk
    with pytest.raises(IdempotencyConflict):
        services.tip_send(
            sender=viewer,
            performer=performer,
            amount=None,
            menu_item_id=item.pk,
            message="x",
            idempotency_key="old-hash-01",
        )


def test_promotion_retry_answers_the_grant(make_user: Callable[..., Any], api_client: Callable[..., Client]) -> None:
    finance = make_user("finance")
    user = make_user("viewer")
    api = api_client(finance)
    body = {"user_id": user.pk, "tokens": 25, "reason": "welcome", "idempotency_key": "promo-retry-01"}
    first = api.post("/api/v1/staff/wallet/promotions", body, content_type="application/json")
    again = api.post("/api/v1/staff/wallet/promotions", body, content_type="application/json")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other = api.post("/api/v1/staff/wallet/promotions", {**body, "tokens": 26}, content_type="application/json")
    assert other.status_code == 409 and other.json()["code"] == "idempotency.key_reused"
    assert selectors.wallet_balance(user) == 25


def test_tip_refund_retry_answers_the_refund(
    scene: dict[str, Any], make_user: Callable[..., Any], api_client: Callable[..., Client]
) -> None:
    viewer, performer = scene["viewer"], scene["performer"]
    tip = services.tip_send(sender=viewer, performer=performer, amount=40, idempotency_key="refund-retry-1")
    api = api_client(make_user("finance"))
    url = f"/api/v1/staff/wallet/tips/{tip.pk}/refund"
    first = api.post(url, {"reason": "double click"}, content_type="application/json")
    again = api.post(url, {"reason": ""}, content_type="application/json")  # lost answer, sloppy retry
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert selectors.wallet_balance(viewer) == 1000
    assert LedgerTransfer.objects.filter(kind="tip_refund").count() == 1
