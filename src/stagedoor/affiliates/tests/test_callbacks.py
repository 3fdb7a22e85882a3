"""A tracker's callbacks are verified before anything is read: a forged, stale or unknown one is refused (401),
logged, and changes nothing; a verified dispute holds the commission once, whatever the replays."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from stagedoor.affiliates import signing
from stagedoor.affiliates.models import Affiliate, Commission, InboundCallback

pytestmark = pytest.mark.django_db


@pytest.fixture
def commission(partner: Affiliate, referred: Callable[..., Any], buy: Callable[..., str]) -> Commission:
    buy(referred("partnerco", "dora_dispute"), 1000)
    return Commission.objects.get()


def send(affiliate_id: str, body: bytes, header: str) -> Any:
    return Client().post(
        f"/api/v1/affiliates/callbacks/{affiliate_id}",
        body,
        content_type="application/json",
        headers={"Stagedoor-Signature": header},
    )


def dispute(commission: Commission, event_id: str = "evt-1") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "event": "commission.disputed",
            "commission_id": commission.pk,
            "reason": "sub-affiliate fraud",
        }
    ).encode()


def test_a_verified_dispute_holds_the_commission_once(partner: Affiliate, commission: Commission) -> None:
    secret = Affiliate.objects.get(pk=partner.pk).postback_secret
    body = dispute(commission)
    response = send(partner.pk, body, signing.sign(secret, body, timestamp=int(time.time())))
    assert response.status_code == 200 and response.json() == {"outcome": "applied", "detail": f"hold {commission.pk}"}
    commission.refresh_from_db()
    assert (commission.status, commission.reason) == ("held", "disputed by the tracker: sub-affiliate fraud")
    again = send(partner.pk, body, signing.sign(secret, body, timestamp=int(time.time())))
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert list(InboundCallback.objects.order_by("received_at").values_list("outcome", flat=True)) == [
        "applied",
        "duplicate",
    ]


@pytest.mark.parametrize("forgery", ["wrong_secret", "edited_body", "stale", "no_signature", "unknown_affiliate"])
def test_a_forged_callback_is_refused_and_changes_nothing(
    partner: Affiliate, commission: Commission, forgery: str
) -> None:
    secret = Affiliate.objects.get(pk=partner.pk).postback_secret
    body = dispute(commission)
    now = int(time.time())
    target, sent, header = partner.pk, body, signing.sign(secret, body, timestamp=now)
    if forgery == "wrong_secret":
        header = signing.sign("guessed-secret", body, timestamp=now)
    elif forgery == "edited_body":
        sent = dispute(commission, event_id="evt-2")
    elif forgery == "stale":
        header = signing.sign(secret, body, timestamp=now - 3600)
    elif forgery == "no_signature":
        header = ""
    else:
        target = "01AAAAAAAAAAAAAAAAAAAAAAAA"
    response = send(target, sent, header)
    assert response.status_code == 401
    assert response.json()["code"] == "affiliates.callback_refused"
    commission.refresh_from_db()
    assert (commission.status, commission.reason) == ("accrued", "")
    logged = InboundCallback.objects.get()
    assert logged.outcome == ("refused_stale" if forgery == "stale" else "refused_signature")
    assert logged.affiliate_id == (None if forgery == "unknown_affiliate" else partner.pk)


def test_a_signed_but_malformed_callback_is_refused(partner: Affiliate, commission: Commission, make_user: Any) -> None:
    secret = Affiliate.objects.get(pk=partner.pk).postback_secret
    for body in [
        b"not json",
        b"[1]",
        json.dumps({"id": "e", "event": "commission.paid_out"}).encode(),
        json.dumps({"id": "e", "event": "commission.disputed", "commission_id": "nope"}).encode(),
    ]:
        response = send(partner.pk, body, signing.sign(secret, body, timestamp=int(time.time())))
        assert response.status_code == 422 and response.json()["code"] == "affiliates.callback_invalid"
    assert Commission.objects.get().status == "accrued"
    assert set(InboundCallback.objects.values_list("outcome", flat=True)) == {"refused_invalid"}
