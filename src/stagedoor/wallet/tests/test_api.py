"""The wallet API: the permission grid and bad input over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from stagedoor.accounts.roles import Role
from stagedoor.payments.models import Purchase
from stagedoor.wallet import selectors, services
from stagedoor.wallet.models import LedgerTransfer, Tip
from stagedoor.wallet.tests.conftest import fund_wallet

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", *[r.value for r in Role]]
BUYERS = {"viewer", "performer", "chat_host", "admin"}
FINANCE = {"finance", "admin"}


@pytest.fixture
def world(make_user: Callable[..., Any]) -> dict[str, Any]:
    finance = make_user("finance")
    star = make_user("performer", login="star")
    victim = make_user("viewer", login="victim")
    package = services.package_create(actor=finance, name="Pack", tokens=50, price_minor=500, currency="USD")
    other_purchase = Purchase.objects.create(
        buyer=victim,
        tokens=50,
        price_minor=500,
        currency="USD",
        provider="sandbox",
        idempotency_key="k",
        request_hash="h",
    )
    return {"star": star, "victim": victim, "package": package, "purchase": other_purchase}


def grid(world: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None, set[str]]]:
    star, victim, package, purchase = world["star"], world["victim"], world["package"], world["purchase"]
    return [
        ("GET", "/api/v1/wallet/packages", None, set(ROLES)),
        ("GET", f"/api/v1/performers/{star.pk}/tip-panel", None, set(ROLES)),
        ("GET", "/api/v1/payments/providers", None, set(ROLES)),
        ("GET", "/api/v1/me/wallet", None, set(ROLES) - {"anonymous"}),
        ("GET", "/api/v1/me/wallet/history", None, set(ROLES) - {"anonymous"}),
        ("GET", "/api/v1/purchases", None, set(ROLES) - {"anonymous"}),
        ("POST", "/api/v1/tips", {"performer_id": star.pk, "amount": 1, "idempotency_key": "grid-tip-0001"}, BUYERS),
        ("POST", "/api/v1/purchases", {"package_id": package.pk, "idempotency_key": "grid-buy-0001"}, BUYERS),
        ("GET", "/api/v1/me/tip-menu", None, {"performer", "admin"}),
        ("POST", "/api/v1/me/tip-goals", {"title": "Goal", "target": 10}, {"performer", "admin"}),
        ("GET", "/api/v1/me/earnings", None, {"performer", "admin"}),
        ("GET", "/api/v1/me/earnings.csv", None, {"performer", "admin"}),
        ("GET", "/api/v1/staff/wallet/packages", None, FINANCE),
        ("POST", "/api/v1/staff/wallet/packages", {"name": "Big", "tokens": 1000, "price_minor": 7999}, FINANCE),
        ("PUT", f"/api/v1/staff/wallet/performers/{star.pk}/terms", {"share_bp": 6000}, FINANCE),
        ("GET", f"/api/v1/staff/wallet/users/{victim.pk}", None, {"support_l2", "finance", "admin"}),
        ("GET", f"/api/v1/purchases/{purchase.pk}", None, {"support_l2", "finance", "admin"}),
        ("GET", "/api/v1/staff/ledger/accounts", None, FINANCE),
        ("GET", "/api/v1/staff/postbacks", None, FINANCE),
        (
            "POST",
            "/api/v1/staff/wallet/promotions",
            {"user_id": victim.pk, "tokens": 5, "reason": "r", "idempotency_key": "grid-promo-01"},
            FINANCE,
        ),
        ("POST", f"/api/v1/staff/purchases/{purchase.pk}/refund", {"reason": "r"}, FINANCE),
        ("POST", "/api/v1/staff/wallet/tips/01ZZZZZZZZZZZZZZZZZZZZZZZZ/refund", {"reason": "r"}, FINANCE),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_permission_grid(
    role: str, world: dict[str, Any], make_user: Callable[..., Any], api_client: Callable[..., Client]
) -> None:
    user = None if role == "anonymous" else make_user(role)
    client = api_client(user)
    for method, path, body, allowed in grid(world):
        kwargs = {"content_type": "application/json", "data": body} if body is not None else {}
        response = getattr(client, method.lower())(path, **kwargs)
        if role in allowed:
            assert response.status_code not in (401, 403), (method, path, role, response.content)
        elif path.startswith("/api/v1/purchases/") and role != "anonymous":
            assert response.status_code == 404, (method, path, role)  # someone else's purchase: not revealed
        else:
            expected = 401 if role == "anonymous" else 403
            assert response.status_code == expected, (method, path, role, response.content)
    if role not in BUYERS:
        assert not Tip.objects.exists() and Purchase.objects.count() == 1
    if role not in FINANCE:
        assert selectors.wallet_balance(world["victim"]) == 0


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"amount": -5}, 422, "wallet.invalid_amount"),
        ({"amount": 0}, 422, "wallet.invalid_amount"),
        ({"amount": 10**40}, 422, "wallet.invalid_amount"),
        ({"amount": "10"}, 422, "wallet.invalid_amount"),
        ({"amount": 2.5}, 422, "wallet.invalid_amount"),
        ({"amount": 10.0}, 422, "wallet.invalid_amount"),
        ({"amount": True}, 422, "wallet.invalid_amount"),
        ({"amount": None}, 422, "wallet.invalid_amount"),
        ({"amount": [10]}, 422, "wallet.invalid_amount"),
        ({"amount": 100_001}, 422, "wallet.invalid_amount"),
        ({"amount": 10, "idempotency_key": None}, 422, "idempotency.key_invalid"),
        ({"amount": 10, "idempotency_key": "bad key!"}, 422, "idempotency.key_invalid"),
        ({"amount": 501}, 402, "wallet.insufficient_balance"),
        ({"amount": 10, "performer_id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ"}, 404, "wallet.not_a_performer"),
    ],
)
def test_tip_api_bad_input_changes_nothing(
    make_user: Callable[..., Any], api_client: Callable[..., Client], body: dict[str, Any], status: int, code: str
) -> None:
    star = make_user("performer")
    viewer = make_user("viewer")
    fund_wallet(viewer, 500)
    payload = {"performer_id": star.pk, "idempotency_key": "api-bad-0001", **body}
    if payload["idempotency_key"] is None:
        del payload["idempotency_key"]
    response = api_client(viewer, csrf=False).post("/api/v1/tips", payload, content_type="application/json")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert selectors.wallet_balance(viewer) == 500
    assert not Tip.objects.exists() and LedgerTransfer.objects.count() == 1


def test_tip_api_retries_with_header_key(make_user: Callable[..., Any], api_client: Callable[..., Client]) -> None:
    star = make_user("performer")
    viewer = make_user("viewer")
    fund_wallet(viewer, 500)
    client = api_client(viewer)
    body = {"performer_id": star.pk, "amount": 20, "message": "hey"}
    first = client.post("/api/v1/tips", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="hdr-key-00001")
    second = client.post("/api/v1/tips", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="hdr-key-00001")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    conflict = client.post(
        "/api/v1/tips", {**body, "amount": 21}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="hdr-key-00001"
    )
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency.key_reused"
    assert selectors.wallet_balance(viewer) == 480


def test_session_tip_needs_csrf(make_user: Callable[..., Any], api_client: Callable[..., Client]) -> None:
    star = make_user("performer")
    viewer = make_user("viewer")
    fund_wallet(viewer, 50)
    response = api_client(viewer, csrf=True).post(
        "/api/v1/tips",
        {"performer_id": star.pk, "amount": 5, "idempotency_key": "csrf-tip-0001"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert selectors.wallet_balance(viewer) == 50


def test_package_admin_bad_input(make_user: Callable[..., Any], api_client: Callable[..., Client]) -> None:
    client = api_client(make_user("finance"))
    for body in (
        {"name": "x", "tokens": -1, "price_minor": 100},
        {"name": "x", "tokens": 10, "price_minor": 0},
        {"name": "x", "tokens": 10, "price_minor": 100, "currency": "usdollars"},
        {"name": "x", "tokens": 10, "price_minor": 9.99},
        {"name": "", "tokens": 10, "price_minor": 100},
    ):
        assert client.post("/api/v1/staff/wallet/packages", body, content_type="application/json").status_code == 422, (
            body
        )
    created = client.post(
        "/api/v1/staff/wallet/packages",
        {"name": "Bulk", "tokens": 2000, "price_minor": 14999, "currency": "eur"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["currency"] == "EUR"
    patched = client.patch(
        f"/api/v1/staff/wallet/packages/{created.json()['id']}", {"active": False}, content_type="application/json"
    )
    assert patched.json()["active"] is False
    assert client.get("/api/v1/wallet/packages").json() == []
