"""`/ref/<code>`: a click is counted once per address and window, never a bot's; the cookie follows the plan's
attribution model; unknown links and forged cookies attribute nothing; a flood is refused past the rate limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from stagedoor.affiliates import conf, selectors, services
from stagedoor.affiliates.models import Affiliate, Click, Referral
from stagedoor.affiliates.tests.conftest import OTHER_UA, click

pytestmark = pytest.mark.django_db


def test_a_flood_from_one_address_counts_once_and_every_cookie_names_that_click(partner: Affiliate) -> None:
    client = Client()
    named = set()
    for _ in range(6):
        response = click(client, "partnerco", ip="198.51.100.20", sub="trk-77")
        assert response.status_code == 302 and response["Location"] == "/"
        assert response["Cache-Control"] == "no-store"
        named.add(services.click_from_cookie(response.cookies[conf.COOKIE].value))
    assert Click.objects.count() == 1
    only = Click.objects.get()
    assert (only.sub_id, only.link.code) == ("trk-77", "partnerco")
    assert named == {only}
    morsel = response.cookies[conf.COOKIE]
    assert morsel["max-age"] == 30 * 86400 and morsel["httponly"] and morsel["samesite"] == "Lax"
    # another address is another click; the dashboard counts two
    click(Client(), "partnerco", ip="198.51.100.21")
    assert Click.objects.count() == 2
    assert selectors.dashboard(partner, days=7).totals["clicks"] == 2


def test_the_next_window_counts_again(partner: Affiliate, settings: Any) -> None:
    services.click_record(code="partnerco", visit=services.Visit("198.51.100.20", OTHER_UA))
    Click.objects.update(bucket=0)  # as if the first click were from an earlier window
    outcome = services.click_record(code="partnerco", visit=services.Visit("198.51.100.20", OTHER_UA))
    assert outcome.counted and Click.objects.count() == 2


@pytest.mark.parametrize(
    "ua",
    [
        "",
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "curl/8.5.0",
        "python-httpx/0.27",
        "Slackbot-LinkExpanding 1.0",
    ],
)
def test_bots_and_scripts_are_sent_on_without_a_click_or_a_cookie(partner: Affiliate, ua: str) -> None:
    response = click(Client(), "partnerco", ua=ua)
    assert response.status_code == 302 and response["Location"] == "/"
    assert conf.COOKIE not in response.cookies
    assert Click.objects.count() == 0


def test_an_unknown_or_closed_link_goes_home_with_nothing_recorded(partner: Affiliate) -> None:
    assert click(Client(), "nosuchcode")["Location"] == "/"
    partner.links.update(active=False)
    response = click(Client(), "partnerco")
    assert response["Location"] == "/" and conf.COOKIE not in response.cookies
    Affiliate.objects.filter(pk=partner.pk).update(status="suspended")
    partner.links.update(active=True)
    assert conf.COOKIE not in click(Client(), "partnerco").cookies
    assert Click.objects.count() == 0


def test_a_flood_past_the_rate_limit_is_refused_and_still_counted_once(partner: Affiliate, settings: Any) -> None:
    settings.STAGEDOOR_RATE_LIMITS = "referral_click=3/60"
    client = Client()
    codes = [click(client, "partnerco", ip="198.51.100.99").status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Click.objects.count() == 1


def test_last_click_wins_by_default_first_click_keeps_the_visitor(
    partner: Affiliate, make_user: Callable[..., Any], finance: Any, capture: Any
) -> None:
    from stagedoor.affiliates.tests.conftest import signup

    rival_user = make_user("viewer", login="rivalco")
    plan = services.plan_create(actor=finance, name="Rival", kind="cpa", cpa_tokens=100, window_days=30)
    services.affiliate_create(actor=finance, user=rival_user, plan_id=plan.pk, code="rivalco")
    client = Client()
    click(client, "partnerco")
    click(client, "rivalco")  # last click: the rival's
    with capture(execute=True):
        signup(client, "lena_last")
    assert Referral.objects.get(user__login="lena_last").affiliate.user.login == "rivalco"

    first = services.plan_create(
        actor=finance, name="First", kind="cpa", cpa_tokens=100, window_days=30, attribution="first_click"
    )
    Affiliate.objects.filter(user=rival_user).update(plan=first)
    client = Client()
    click(client, "partnerco", ip="203.0.113.50")
    response = click(client, "rivalco", ip="203.0.113.50")  # a first-click plan leaves an earlier valid cookie in place
    assert conf.COOKIE not in response.cookies
    with capture(execute=True):
        signup(client, "fred_first", ip="203.0.113.50")
    assert Referral.objects.get(user__login="fred_first").affiliate == partner
    assert Click.objects.count() == 4  # every click counted; only the cookie differs


def test_a_forged_or_edited_cookie_attributes_nothing(partner: Affiliate, capture: Any) -> None:
    from stagedoor.affiliates.tests.conftest import signup

    client = Client()
    value = click(client, "partnerco").cookies[conf.COOKIE].value
    click_id, _, signature = value.partition(":")
    client.cookies[conf.COOKIE] = f"{int(click_id) + 1}:{signature}"
    with capture(execute=True):
        response = signup(client, "mallory_m")
    assert response.status_code == 302
    assert Referral.objects.count() == 0
    assert response.cookies[conf.COOKIE]["max-age"] == 0  # the bad cookie is dropped
