"""Each event type comes from the real action of another app, through the outbox: going live (and offline, not
on a reconnect), a new fan, a show booked, a payout sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.fans import services as fans
from stagedoor.payouts import services as payouts
from stagedoor.payouts.tests.helpers import IBAN, backdate, performer_named
from stagedoor.rooms import services as rooms
from stagedoor.shows.services import ticket_schedule
from stagedoor.wallet import services as wallet
from stagedoor.wallet.tests.conftest import fund_wallet
from stagedoor.webhooks import events
from stagedoor.webhooks.models import Endpoint
from stagedoor.webhooks.tests.receiver import Receiver

pytestmark = pytest.mark.django_db
Make = Callable[..., tuple[Endpoint, str]]


def _data(receiver: Receiver, path: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for got in receiver.on(path):
        assert got.verified
        body = json.loads(got.body)
        out.append((body["type"], body["data"]))
    return out


def test_went_live_and_offline_but_not_a_reconnect(
    make_user: Any, receiver: Receiver, endpoint_for: Make, django_capture_on_commit_callbacks: Any
) -> None:
    performer = make_user("performer", login="luz")
    endpoint_for(performer, "/room", [events.ROOM_LIVE, events.ROOM_OFFLINE])
    room = rooms.room_for_performer(performer=performer)
    for status in ("live", "reconnecting", "live", "offline"):
        with django_capture_on_commit_callbacks(execute=True):
            rooms.room_set_status(room=room, status=status)
    got = _data(receiver, "/room")
    assert [t for t, _ in got] == ["room.live", "room.offline"]
    assert got[0][1] == {
        "room_id": room.pk,
        "room_slug": room.slug,
        "room_url": f"http://127.0.0.1:8000/r/{room.slug}",
        "title": room.title,
        "performer_id": str(performer.pk),
        "performer_login": "luz",
    }


def test_a_new_fan_and_a_booked_show(
    make_user: Any, receiver: Receiver, endpoint_for: Make, django_capture_on_commit_callbacks: Any
) -> None:
    performer, fan = make_user("performer"), make_user("viewer", login="fanny")
    rooms.room_for_performer(performer=performer)
    endpoint_for(performer, "/biz", [events.FAN_JOINED, events.SHOW_BOOKED])
    fans.club_configure(performer=performer, price=100, enabled=True)
    fund_wallet(fan, 500)
    with django_capture_on_commit_callbacks(execute=True):
        membership = fans.membership_join(user=fan, performer_id=performer.pk)
    starts = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        show = ticket_schedule(performer=performer, title="Acoustic night", starts_at=starts, price=40)
    got = _data(receiver, "/biz")
    assert [t for t, _ in got] == ["fan.joined", "show.booked"]
    assert got[0][1]["membership_id"] == membership.pk
    assert got[0][1]["fan"] == {"id": str(fan.pk), "login": "fanny"} and got[0][1]["price"] == 100
    assert {k: got[1][1][k] for k in ("show_id", "kind", "status", "title", "ticket_price")} == {
        "show_id": show.pk,
        "kind": "ticket",
        "status": "scheduled",
        "title": "Acoustic night",
        "ticket_price": 40,
    }


def test_a_sent_payout(
    make_user: Any, receiver: Receiver, endpoint_for: Make, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.STAGEDOOR_WALLET_PAYOUT_CURRENCY = "EUR"
    settings.STAGEDOOR_WALLET_PAYOUT_RATE_MINOR = 5
    settings.STAGEDOOR_WALLET_HOLD_DAYS = 7
    settings.STAGEDOOR_WALLET_PERFORMER_SHARE_BP = 6000
    settings.STAGEDOOR_PAYOUTS_MINIMUM_TOKENS = 100
    settings.STAGEDOOR_PAYOUTS_RESERVE_BP = 0
    settings.STAGEDOOR_PAYOUTS_FOUR_EYES_ABOVE_MINOR = 10**9
    settings.STAGEDOOR_PAYOUTS_REVIEW_MIN_TOKENS = 10**9
    lena = performer_named(make_user, "Lena Marie Vogt")
    payouts.payout_method_set(
        performer=lena, kind="sepa", holder_name="Lena Marie Vogt", fields={"iban": IBAN, "bic": ""}
    )
    viewer, finance, admin = make_user("viewer"), make_user("finance"), make_user("admin")
    fund_wallet(viewer, 10_000)
    _start, end = payouts.period_of(timezone.now())
    tip = wallet.tip_send(sender=viewer, performer=lena, amount=1000, idempotency_key="payout-tip-0001")
    backdate(tip.transfer_id, end - timedelta(days=20))
    endpoint_for(lena, "/lena", [events.PAYOUT_SENT])
    endpoint_for(admin, "/site", [events.PAYOUT_SENT], scope="site")
    run, _ = payouts.payout_run_create(actor=finance)
    payouts.payout_run_approve(actor=finance, run_id=run.pk)
    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_run_send(actor=finance, run_id=run.pk)
    [(kind, data)] = _data(receiver, "/lena")
    assert kind == "payout.sent"
    assert {
        k: data[k] for k in ("run_id", "performer_id", "amount_tokens", "amount_minor", "currency", "method_kind")
    } == {
        "run_id": run.pk,
        "performer_id": str(lena.pk),
        "amount_tokens": 600,
        "amount_minor": 3000,
        "currency": "EUR",
        "method_kind": "sepa",
    }
    assert [d for _, d in _data(receiver, "/site")] == [data]
