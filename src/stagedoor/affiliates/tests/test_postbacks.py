"""Postbacks to the affiliate's tracker: signed (the tracker verifies them), retried with exponential back-off by the
job until the tracker answers 2xx, every try in the delivery log, given up after the configured tries."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.affiliates import services, signing, tasks
from stagedoor.affiliates.models import Affiliate, Postback, PostbackAttempt
from stagedoor.affiliates.tests.fake_tracker import FakeTracker, tracker_verifies

pytestmark = pytest.mark.django_db


@pytest.fixture
def tracker(partner: Affiliate) -> Iterator[FakeTracker]:
    fake = FakeTracker().start()
    services.affiliate_postback_set(affiliate=partner, postback_url=fake.url)
    fake.secret = Affiliate.objects.get(pk=partner.pk).postback_secret  # read back: stored encrypted
    yield fake
    fake.stop()


def test_a_signup_postback_answered_500_is_retried_with_back_off_then_delivered(
    partner: Affiliate, tracker: FakeTracker, referred: Callable[..., Any], settings: Any
) -> None:
    tracker.answers = [500]
    referred("partnerco", "paula_post")
    postback = Postback.objects.get()
    assert (postback.event, postback.status, postback.attempts, postback.last_status_code) == (
        "signup",
        "pending",
        1,
        500,
    )
    first_try = PostbackAttempt.objects.get()
    assert (first_try.number, first_try.status_code, first_try.error) == (1, 500, "HTTP 500")
    assert postback.next_attempt_at - first_try.at == timedelta(seconds=30)
    # not due yet: the job leaves it alone
    assert tasks.postbacks((first_try.at + timedelta(seconds=29)).isoformat()) == 0
    assert tasks.postbacks((first_try.at + timedelta(seconds=31)).isoformat()) == 1
    postback.refresh_from_db()
    assert (postback.status, postback.attempts, postback.last_status_code, postback.last_error) == (
        "delivered",
        2,
        200,
        "",
    )
    assert list(PostbackAttempt.objects.values_list("number", "status_code")) == [(1, 500), (2, 200)]
    # the tracker saw two signed tries of the same postback, and verified both
    assert [(r.answered, r.verified, r.body["id"], r.body["event"]) for r in tracker.received] == [
        (500, True, postback.pk, "signup"),
        (200, True, postback.pk, "signup"),
    ]
    body = tracker.received[0].body
    referral = partner.referrals.get()
    assert (body["affiliate_id"], body["referral_id"], body["held"]) == (partner.pk, referral.pk, False)
    assert tasks.postbacks((first_try.at + timedelta(days=1)).isoformat()) == 0  # delivered: never again


def test_commission_postbacks_carry_the_trackers_sub_id(
    partner: Affiliate, tracker: FakeTracker, buy: Callable[..., str], capture: Any
) -> None:
    from django.test import Client

    from stagedoor.accounts.models import User
    from stagedoor.affiliates.tests.conftest import click, signup

    client = Client()
    click(client, "partnerco", sub="net-click-42")
    with capture(execute=True):
        signup(client, "sid_sub")
    buy(User.objects.get(login="sid_sub"), 1000)
    events = [(r.body["event"], r.body.get("sub_id"), r.body.get("tokens")) for r in tracker.received]
    assert events == [("signup", "net-click-42", None), ("commission.accrued", "net-click-42", 250)]
    assert all(r.verified for r in tracker.received)


def test_it_gives_up_after_the_configured_tries(
    partner: Affiliate, tracker: FakeTracker, referred: Callable[..., Any], settings: Any
) -> None:
    settings.STAGEDOOR = dataclasses.replace(
        settings.STAGEDOOR, affiliates=dataclasses.replace(settings.STAGEDOOR.affiliates, postback_attempts=3)
    )
    tracker.answers = [500, 503, 502, 200]
    referred("partnerco", "gina_gives")
    at = timezone.now()
    assert tasks.postbacks((at + timedelta(seconds=31)).isoformat()) == 1  # 2nd try, then 60 s
    assert tasks.postbacks((at + timedelta(seconds=60)).isoformat()) == 0
    assert tasks.postbacks((at + timedelta(seconds=200)).isoformat()) == 1  # 3rd and last
    postback = Postback.objects.get()
    assert (postback.status, postback.attempts, postback.last_error) == ("failed", 3, "HTTP 502")
    assert tasks.postbacks((at + timedelta(days=2)).isoformat()) == 0
    assert [r.answered for r in tracker.received] == [500, 503, 502]
    assert services.backoff_seconds(1) == 30 and services.backoff_seconds(4) == 240


def test_an_unreachable_tracker_is_logged_and_retried(partner: Affiliate, referred: Callable[..., Any]) -> None:
    services.affiliate_postback_set(affiliate=partner, postback_url="http://127.0.0.1:9/postback")  # discard: closed
    referred("partnerco", "una_unreach")
    postback = Postback.objects.get()
    attempt = PostbackAttempt.objects.get()
    assert (postback.status, attempt.status_code) == ("pending", None)
    assert attempt.error.startswith("ConnectError")


def test_what_a_forger_changes_the_tracker_refuses() -> None:
    secret = "s3cret-for-tests"
    body = b'{"event":"commission.accrued","tokens":250}'
    now = int(time.time())
    header = signing.sign(secret, body, timestamp=now)
    assert tracker_verifies(secret, header, body, now=now)
    assert signing.verify(secret, header, body, now=now) == now
    forged_body = body.replace(b"250", b"25000")
    assert not tracker_verifies(secret, header, forged_body, now=now)
    assert not tracker_verifies("another-secret", header, body, now=now)
    assert not tracker_verifies(secret, header, body, now=now + 301)  # replayed later
    for bad_body, bad_header, at, reason in [
        (forged_body, header, now, "mismatch"),
        (body, signing.sign("another-secret", body, timestamp=now), now, "mismatch"),
        (body, header, now + 301, "stale"),
        (body, "t=abc,v1=00", now, "mismatch"),
        (body, "", now, "mismatch"),
    ]:
        with pytest.raises(signing.SignatureError) as refused:
            signing.verify(secret, bad_header, bad_body, now=at)
        assert refused.value.reason == reason
