"""What a real client of the wallet API needs (issue 19): duplicate JSON keys refused everywhere, one key in one
place, lookup of an outcome by its key, a history with a real cursor, one error per kind of mistake,
`Retry-After` on every 429, and tips that always give the performer a whole token (rounding in their favour)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from stagedoor.core.errors import RateLimited
from stagedoor.wallet import selectors, services
from stagedoor.wallet.models import LedgerTransfer, Tip
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(make_user: Callable[..., Any], api_client: Callable[..., Client]) -> dict[str, Any]:
    performer = make_user("performer", display_name="Star")
    viewer = make_user("viewer")
    finance = make_user("finance")
    fund_wallet(viewer, 1000)
    return {
        "performer": performer,
        "viewer": viewer,
        "finance": finance,
        "api": api_client(viewer),
        "staff": api_client(finance),
        "star": api_client(performer),
    }


def raw_post(client: Client, url: str, body: str) -> Any:
    return client.post(url, body, content_type="application/json")


# --- duplicate JSON keys: one parser for every endpoint ---------------------------------------------


def test_duplicate_json_keys_are_refused_on_every_state_changing_endpoint(scene: dict[str, Any]) -> None:
    performer, viewer = scene["performer"], scene["viewer"]
    item = services.tip_menu_item_create(performer=performer, label="Wave", price=5)
    cases = [
        (
            scene["api"],
            "/api/v1/tips",
            f'{{"performer_id": "{performer.pk}", "amount": 10, "amount": 20, "idempotency_key": "dup-key-0001"}}',
            "amount",
        ),
        (
            scene["api"],
            "/api/v1/tips",
            f'{{"performer_id": "{performer.pk}", "amount": 10, '
            '"idempotency_key": "dup-key-0002", "idempotency_key": "dup-key-0003"}',
            "idempotency_key",
        ),
        (
            scene["api"],
            "/api/v1/tips",
            f'{{"performer_id": "{performer.pk}", "amount": 10, "idempotency_key": '
            '"dup-key-0004", "nested": {"a": 1, "a": 2}}',
            "a",
        ),
        (
            scene["staff"],
            "/api/v1/staff/wallet/promotions",
            f'{{"user_id": "{viewer.pk}", "tokens": 5, '
            '"tokens": 500, "reason": "r", "idempotency_key": "dup-promo-01"}',
            "tokens",
        ),
        (scene["star"], "/api/v1/me/tip-menu", '{"label": "Song", "price": 10, "price": 1}', "price"),
        (
            scene["api"],
            "/api/v1/purchases",
            '{"package_id": "x", "package_id": "y", "idempotency_key": "dup-buy-001"}',
            "package_id",
        ),
    ]
    for client, url, body, key in cases:
        response = raw_post(client, url, body)
        assert response.status_code == 400, (url, response.content)
        assert response.json() == {
            "code": "request.duplicate_key",
            "message": "The JSON body names the same key more than once.",
            "extra": {"key": key},
        }
    patch = scene["star"].patch(
        f"/api/v1/me/tip-menu/{item.pk}", '{"price": 6, "price": 600}', content_type="application/json"
    )
    assert patch.status_code == 400 and patch.json()["code"] == "request.duplicate_key"
    assert selectors.wallet_balance(viewer) == 1000
    assert not Tip.objects.exists() and LedgerTransfer.objects.count() == 1
    assert list(selectors.tip_menu_of(performer).values_list("label", "price")) == [("Wave", 5)]
    # the same bodies without the duplicate go through: the parser refuses only the duplicate
    ok = raw_post(
        scene["api"],
        "/api/v1/tips",
        f'{{"performer_id": "{performer.pk}", "amount": 20, "idempotency_key": "dup-key-0009"}}',
    )
    assert ok.status_code == 201 and ok.json()["amount"] == 20


# --- the idempotency key in one place; the outcome by key --------------------------------------------


def test_header_and_body_keys_must_agree(scene: dict[str, Any]) -> None:
    body = {"performer_id": scene["performer"].pk, "amount": 10, "idempotency_key": "body-key-0001"}
    mismatch = scene["api"].post(
        "/api/v1/tips", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="head-key-0001"
    )
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "idempotency.key_mismatch"
    assert selectors.wallet_balance(scene["viewer"]) == 1000
    same = scene["api"].post(
        "/api/v1/tips", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="body-key-0001"
    )
    assert same.status_code == 201
    missing = scene["api"].post(
        "/api/v1/tips", {"performer_id": scene["performer"].pk, "amount": 10}, content_type="application/json"
    )
    assert missing.status_code == 422 and missing.json()["code"] == "idempotency.key_invalid"
    promo = scene["staff"].post(
        "/api/v1/staff/wallet/promotions",
        {"user_id": scene["viewer"].pk, "tokens": 5, "reason": "r", "idempotency_key": "promo-body-01"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="promo-head-01",
    )
    assert promo.status_code == 422 and promo.json()["code"] == "idempotency.key_mismatch"
    assert selectors.wallet_balance(scene["viewer"]) == 990


def test_tip_outcome_by_key_is_the_owners_only(
    scene: dict[str, Any], make_user: Callable[..., Any], api_client: Callable[..., Client]
) -> None:
    missing = scene["api"].get("/api/v1/tips/by-key/lost-answer-01")
    assert missing.status_code == 404 and missing.json()["code"] == "wallet.tip_not_found"
    sent = scene["api"].post(
        "/api/v1/tips",
        {"performer_id": scene["performer"].pk, "amount": 30},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="lost-answer-01",
    )
    found = scene["api"].get("/api/v1/tips/by-key/lost-answer-01")
    assert found.status_code == 200 and found.json() == sent.json()
    for other in (make_user("viewer"), scene["performer"], make_user("admin")):
        response = api_client(other).get("/api/v1/tips/by-key/lost-answer-01")
        assert response.status_code == 404 and response.json()["code"] == "wallet.tip_not_found"
    assert api_client().get("/api/v1/tips/by-key/lost-answer-01").status_code == 401
    bad = scene["api"].get("/api/v1/tips/by-key/x")
    assert bad.status_code == 422 and bad.json()["code"] == "idempotency.key_invalid"


# --- one error per kind of mistake ---------------------------------------------------------------


@pytest.mark.parametrize("amount", ["10", 2.5, 10.0, True, 0, -1, 10**40, None, {"n": 1}])
def test_a_bad_amount_is_one_status_and_one_code_everywhere(scene: dict[str, Any], amount: Any) -> None:
    item = services.tip_menu_item_create(performer=scene["performer"], label="Wave", price=5)
    answers = [
        scene["api"].post(
            "/api/v1/tips",
            {"performer_id": scene["performer"].pk, "amount": amount, "idempotency_key": "bad-amount-01"},
            content_type="application/json",
        ),
        scene["staff"].post(
            "/api/v1/staff/wallet/promotions",
            {"user_id": scene["viewer"].pk, "tokens": amount, "reason": "r", "idempotency_key": "bad-amount-02"},
            content_type="application/json",
        ),
    ]
    if amount is not None:  # a menu tip's amount, if given, must be exactly the price
        answers.append(
            scene["api"].post(
                "/api/v1/tips",
                {
                    "performer_id": scene["performer"].pk,
                    "menu_item_id": item.pk,
                    "amount": amount,
                    "idempotency_key": "bad-amount-03",
                },
                content_type="application/json",
            )
        )
    for response in answers:
        assert (response.status_code, response.json()["code"]) == (422, "wallet.invalid_amount"), response.content
        assert {"minimum", "maximum"} <= set(response.json()["extra"])
    assert selectors.wallet_balance(scene["viewer"]) == 1000
    assert LedgerTransfer.objects.count() == 1


def test_every_429_says_when_to_retry(api_client: Callable[..., Client], settings: Any) -> None:
    client = api_client()
    answers = [
        client.post(
            "/api/v1/auth/login",
            {"login": f"nobody{i}", "password": "wrong-password-123"},
            content_type="application/json",
        )
        for i in range(25)
    ]
    throttled = [r for r in answers if r.status_code == 429]
    assert throttled, [r.status_code for r in answers]
    for response in throttled:
        assert response.json()["code"] == "auth.throttled"
        assert response["Retry-After"] == str(RateLimited.retry_after)
    assert all(r.has_header("Retry-After") == (r.status_code == 429) for r in answers)


# --- wallet history: a real cursor and the ids a client needs ----------------------------------------


def test_history_pages_with_a_cursor_and_carries_ids(scene: dict[str, Any]) -> None:
    viewer, performer, api = scene["viewer"], scene["performer"], scene["api"]
    tips = [
        services.tip_send(sender=viewer, performer=performer, amount=n + 1, idempotency_key=f"hist-tip-{n:04d}")
        for n in range(5)
    ]
    services.tip_refund(actor=scene["finance"], tip_id=tips[0].pk, reason="oops")
    seen: list[dict[str, Any]] = []
    before: int | None = None
    pages = 0
    while True:
        url = "/api/v1/me/wallet/history?limit=3" + (f"&before_id={before}" if before is not None else "")
        page = api.get(url).json()
        seen += page["items"]
        pages += 1
        before = page["next_before_id"]
        if before is None:
            break
        assert before == page["items"][-1]["entry_id"]
    assert pages == 3  # 7 entries: the purchase, 5 tips, the refund
    assert [row["entry_id"] for row in seen] == sorted({row["entry_id"] for row in seen}, reverse=True)
    kinds = [(row["kind"], row["amount"], row["tip_id"], row["counterparty_id"]) for row in seen]
    assert kinds == [
        ("tip_refund", 1, tips[0].pk, performer.pk),
        *[("tip", -t.amount, t.pk, performer.pk) for t in reversed(tips)],
        ("purchase", 1000, None, None),
    ]
    purchase_row = seen[-1]
    assert purchase_row["purchase_id"] == LedgerTransfer.objects.get(kind="purchase").data["purchase"]
    assert all(row["purchase_id"] is None for row in seen[:-1])
    assert seen[1]["counterpart"] == "Star"


@pytest.mark.parametrize("limit", [0, 201, 10_000, -1])
def test_history_limit_outside_the_range_is_refused_not_capped(scene: dict[str, Any], limit: int) -> None:
    response = scene["api"].get(f"/api/v1/me/wallet/history?limit={limit}")
    assert response.status_code == 422
    assert response.json()["code"] == "pagination.invalid_limit"
    assert response.json()["extra"]["maximum"] == 200
    assert scene["api"].get("/api/v1/me/wallet/history?limit=200").status_code == 200


# --- tiny tips: rounding in the performer's favour; the CSV shows every tip --------------------------


@pytest.mark.parametrize(
    ("share_bp", "amount", "split"),
    [(5000, 1, (1, 0)), (5000, 3, (2, 1)), (6000, 101, (61, 40)), (1, 1, (1, 0)), (10_000, 7, (7, 0)), (0, 9, (0, 9))],
)
def test_the_split_rounds_in_the_performers_favour(
    scene: dict[str, Any], share_bp: int, amount: int, split: tuple[int, int]
) -> None:
    services.performer_terms_set(actor=scene["finance"], performer=scene["performer"], share_bp=share_bp)
    tip = services.tip_send(
        sender=scene["viewer"], performer=scene["performer"], amount=amount, idempotency_key="tiny-tip-0001"
    )
    assert (tip.performer_amount, tip.platform_amount) == split
    assert Tip.objects.get(pk=tip.pk).performer_amount == split[0]
    assert selectors.earnings_of(scene["performer"]).balance == split[0]
    assert ledger_problems() == []


def test_earnings_csv_lists_every_tip(scene: dict[str, Any]) -> None:
    viewer, performer = scene["viewer"], scene["performer"]
    one = services.tip_send(sender=viewer, performer=performer, amount=1, idempotency_key="csv-tip-0001")
    services.performer_terms_set(actor=scene["finance"], performer=performer, share_bp=0)
    unpaid = services.tip_send(sender=viewer, performer=performer, amount=4, idempotency_key="csv-tip-0002")
    response = scene["star"].get("/api/v1/me/earnings.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-1] == "tip_id"
    assert [(r[2], r[3], r[8]) for r in rows[1:]] == [("tip", "0", unpaid.pk), ("tip", "1", one.pk)]
