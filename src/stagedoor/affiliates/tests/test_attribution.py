"""Sign-ups are attributed to the click their browser carries, inside the plan's window, once; the fraud rules
(self-referral, many sign-ups from one device or network) hold the referral."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from stagedoor.affiliates import conf
from stagedoor.affiliates.models import Affiliate, Click, Referral
from stagedoor.affiliates.tests.conftest import OTHER_UA, click, signup
from stagedoor.conftest import TEST_PASSWORD
from stagedoor.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


def test_a_sign_up_after_a_click_is_attributed_once_and_the_cookie_dropped(partner: Affiliate, capture: Any) -> None:
    client = Client()
    click(client, "partnerco", sub="abc-1")
    with capture(execute=True):
        response = signup(client, "vera_viewer")
    assert response.status_code == 302
    assert response.cookies[conf.COOKIE]["max-age"] == 0
    referral = Referral.objects.get()
    assert (referral.user.login, referral.affiliate, referral.plan, referral.hold) == (
        "vera_viewer",
        partner,
        partner.plan,
        "",
    )
    assert referral.click == Click.objects.get() and referral.signed_up_at == referral.user.date_joined
    assert OutboxEvent.objects.filter(topic="affiliates.referral_created").count() == 1
    # the same browser signed in again: nothing more happens
    client.get("/account")
    assert Referral.objects.count() == 1


def test_an_existing_account_clicking_is_not_a_sign_up(partner: Affiliate, make_user: Callable[..., Any]) -> None:
    old = make_user("viewer", login="olga_old")
    client = Client()
    click(client, "partnerco")
    client.post("/login", {"login": "olga_old", "password": TEST_PASSWORD})
    assert client.session.get("_auth_user_id") == str(old.pk)
    assert Referral.objects.count() == 0


def test_a_click_older_than_the_window_attributes_nothing(partner: Affiliate, capture: Any) -> None:
    client = Client()
    click(client, "partnerco")
    Click.objects.update(created_at=Click.objects.get().created_at - timedelta(days=31))  # the plan's window: 30
    with capture(execute=True):
        signup(client, "late_larry")
    assert Referral.objects.count() == 0


def test_an_affiliate_cannot_refer_their_own_account(partner: Affiliate, capture: Any) -> None:
    client = Client()
    client.force_login(partner.user)
    click(client, "partnerco")
    client.get("/account")
    assert Referral.objects.count() == 0
    assert Click.objects.get().visitor == partner.user


def test_a_second_account_from_the_affiliates_own_device_is_held_as_self_referral(
    partner: Affiliate, referred: Callable[..., Any]
) -> None:
    me = Client()
    me.force_login(partner.user)
    click(me, "partnerco", ip="192.0.2.10", ua=OTHER_UA)  # the affiliate tries their own link, signed in
    user = referred("partnerco", "sock_puppet", ip="192.0.2.10", ua=OTHER_UA)
    assert Referral.objects.get(user=user).hold == Referral.Hold.SELF_REFERRAL


def test_many_sign_ups_from_one_device_hold_all_of_them(partner: Affiliate, referred: Callable[..., Any]) -> None:
    first = referred("partnerco", "dev_one", ip="192.0.2.1")
    second = referred("partnerco", "dev_two", ip="192.0.2.1")
    assert set(Referral.objects.values_list("hold", flat=True)) == {""}  # two from one device are allowed
    third = referred("partnerco", "dev_three", ip="192.0.2.1")
    holds = dict(Referral.objects.values_list("user__login", "hold"))
    assert holds == {u.login: Referral.Hold.DEVICE_BURST for u in (first, second, third)}


def test_many_sign_ups_from_one_network_are_held(
    partner: Affiliate, referred: Callable[..., Any], settings: Any
) -> None:
    import dataclasses

    settings.STAGEDOOR = dataclasses.replace(
        settings.STAGEDOOR,
        affiliates=dataclasses.replace(settings.STAGEDOOR.affiliates, signups_per_network=2, signups_per_device=50),
    )
    agents = [f"Mozilla/5.0 (X11; Linux x86_64) Firefox/12{i}.0" for i in range(3)]
    referred("partnerco", "net_a", ip="192.0.2.21", ua=agents[0])
    referred("partnerco", "net_b", ip="192.0.2.22", ua=agents[1])
    referred("partnerco", "far_c", ip="198.51.100.5", ua=agents[2])  # another network: not counted with them
    assert set(Referral.objects.values_list("hold", flat=True)) == {""}
    referred("partnerco", "net_d", ip="192.0.2.23", ua=OTHER_UA)
    holds = dict(Referral.objects.values_list("user__login", "hold"))
    assert holds == {"net_a": "network_burst", "net_b": "network_burst", "far_c": "", "net_d": "network_burst"}
