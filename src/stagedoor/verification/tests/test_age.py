"""Viewer age assurance by jurisdiction: the seeded policy table, the gate on playback grants, chat tickets and
purchases, checks at a (fake) vendor remembered per account or per device, and the operator editing the table."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stagedoor.core.geo import Location
from stagedoor.core.models import AuditEntry
from stagedoor.payments.models import Purchase
from stagedoor.rooms.services import room_for_performer
from stagedoor.verification import assurance, selectors
from stagedoor.verification.models import AgeAssurance, AgeCheck, AgePolicy
from stagedoor.verification.tests.fake_vendors import FakeVendors, deliver
from stagedoor.wallet import services as wallet_services
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db

HEADER = "CF-IPCountry"


@pytest.fixture
def geo(settings: Any) -> None:
    """Viewers' country from a CDN header, as an operator behind one configures it."""
    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, geo_header=HEADER)


def test_the_seeded_policy_table() -> None:
    uk = selectors.age_requirement(Location("GB"))
    texas = selectors.age_requirement(Location("US", "US-TX"))
    elsewhere_in_the_us = selectors.age_requirement(Location("US", "US-NY"))
    france = selectors.age_requirement(Location("FR"))
    unknown = selectors.age_requirement(Location(""))
    assert (uk.region, uk.method) == ("GB", "age_estimation")
    assert uk.reason == "The UK Online Safety Act requires highly effective age assurance before adult content."
    assert (texas.region, texas.method) == ("US-TX", "id_check")
    assert (elsewhere_in_the_us.region, elsewhere_in_the_us.method) == ("*", "self_declaration")
    assert (france.region, france.method) == ("*", "self_declaration")
    assert (unknown.region, unknown.method) == ("*", "self_declaration")
    assert AgePolicy.objects.filter(method="id_check").count() == 17


def _room(make_user: Any) -> str:
    return room_for_performer(performer=make_user("performer", login="age_room_star")).slug


def test_a_uk_guest_needs_an_age_estimation_for_playback_chat_and_elsewhere_not(make_user: Any, geo: None) -> None:
    slug = _room(make_user)
    guest = client_for(None)  # past the entry page (self-declaration)
    playback = guest.post(f"/api/v1/rooms/{slug}/playback", HTTP_CF_IPCOUNTRY="GB")
    assert playback.status_code == 403
    body = playback.json()
    assert body["code"] == "streaming.age_check_required"
    assert body["extra"] == {"reason": "verification.age_check_required", "url": "/age"}
    assert body["message"].startswith("Where you are (GB) the law asks for an age estimation before adult content")
    ticket = guest.post(f"/api/v1/chat/rooms/{slug}/ticket", HTTP_CF_IPCOUNTRY="GB")
    assert ticket.status_code == 403 and ticket.json()["code"] == "chat.age_check_required"
    assert guest.get("/api/v1/age-assurance", HTTP_CF_IPCOUNTRY="GB").json() == {
        "region": "GB",
        "method": "age_estimation",
        "reason": "The UK Online Safety Act requires highly effective age assurance before adult content.",
        "satisfied": False,
        "country": "GB",
        "subdivision": "",
    }
    page = guest.get("/age", HTTP_CF_IPCOUNTRY="GB").content.decode()
    assert 'data-method="age_estimation"' in page and "What is needed: age estimation" in page
    # elsewhere the entry page's self-declaration is all
    assert guest.post(f"/api/v1/rooms/{slug}/playback", HTTP_CF_IPCOUNTRY="FR").status_code == 200
    assert guest.post(f"/api/v1/chat/rooms/{slug}/ticket", HTTP_CF_IPCOUNTRY="FR").status_code == 200


def test_a_purchase_needs_it_too_and_nothing_is_created(make_user: Any, geo: None) -> None:
    package = wallet_services.package_create(
        actor=make_user("finance"), name="Starter", tokens=100, price_minor=999, currency="USD", position=0
    )
    buyer = client_for(make_user("viewer", login="uk_buyer"))
    body = {"package_id": package.pk, "provider": "sandbox", "idempotency_key": "uk-buyer-0001"}
    refused = buyer.post(
        "/api/v1/purchases", data=json.dumps(body), content_type="application/json", HTTP_CF_IPCOUNTRY="GB"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "payments.age_check_required"
    assert Purchase.objects.count() == 0
    allowed = buyer.post(
        "/api/v1/purchases", data=json.dumps(body), content_type="application/json", HTTP_CF_IPCOUNTRY="NL"
    )
    assert allowed.status_code == 201 and Purchase.objects.count() == 1


def test_a_guest_passes_the_estimation_and_the_device_remembers_it(
    make_user: Any, geo: None, vendors: FakeVendors
) -> None:
    slug = _room(make_user)
    guest = client_for(None)
    started = guest.post("/age/check", {"next": f"/r/{slug}"}, HTTP_CF_IPCOUNTRY="GB")
    assert started.status_code == 200
    check = AgeCheck.objects.get()
    assert (check.method, check.vendor, check.status) == ("age_estimation", "agecheck", "started")
    assert check.user_id is None
    assert check.device_id and check.vendor_url.startswith(vendors.url + "/age/")
    assert f'href="{check.vendor_url}"' in started.content.decode()
    device = assurance.read(type("R", (), {"COOKIES": {assurance.COOKIE: guest.cookies[assurance.COOKIE].value}})())
    assert device is not None and device.device_id == check.device_id and device.method == ""

    # before the vendor answers, coming back finds nothing passed yet
    early = guest.get(f"/age/return?check={check.pk}")
    assert early.status_code == 302 and early["Location"].startswith("/age")
    assert deliver(Client(), vendors.decide(check.vendor_session_id, "approved")).json()["outcome"] == "applied"
    back = guest.get(f"/age/return?check={check.pk}")
    assert back.status_code == 302
    cookie = back.cookies[assurance.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    remembered = assurance.read(type("R", (), {"COOKIES": {assurance.COOKIE: cookie.value}})())
    assert remembered is not None and remembered.method == "age_estimation"
    assert remembered.expires > (timezone.now() + timedelta(days=29)).timestamp()
    assert guest.post(f"/api/v1/rooms/{slug}/playback", HTTP_CF_IPCOUNTRY="GB").status_code == 200
    assert guest.post(f"/api/v1/chat/rooms/{slug}/ticket", HTTP_CF_IPCOUNTRY="GB").status_code == 200
    # nothing about the person is kept: the check has only its outcome
    check.refresh_from_db()
    assert check.status == "passed" and not AgeAssurance.objects.exists()
    # another device (no cookie) still has to pass
    assert client_for(None).post(f"/api/v1/rooms/{slug}/playback", HTTP_CF_IPCOUNTRY="GB").status_code == 403
    # a forged cookie does not pass
    forged = client_for(None)
    forged.cookies[assurance.COOKIE] = cookie.value[:-4] + "AAAA"
    assert forged.post(f"/api/v1/rooms/{slug}/playback", HTTP_CF_IPCOUNTRY="GB").status_code == 403


def test_an_account_remembers_a_pass_until_it_expires_and_a_failure_passes_nothing(
    make_user: Any, geo: None, vendors: FakeVendors
) -> None:
    slug = _room(make_user)
    viewer = make_user("viewer", login="uk_viewer")
    client = client_for(viewer)
    client.post("/age/check", {"next": "/"}, HTTP_CF_IPCOUNTRY="GB")
    failed = AgeCheck.objects.get()
    deliver(Client(), vendors.decide(failed.vendor_session_id, "declined"))
    assert AgeCheck.objects.get().status == "failed" and not AgeAssurance.objects.exists()
    assert client.post(f"/api/v1/rooms/{slug}/playback", HTTP_CF_IPCOUNTRY="GB").status_code == 403

    client.post("/age/check", {"next": "/"}, HTTP_CF_IPCOUNTRY="GB")
    passed = AgeCheck.objects.exclude(pk=failed.pk).get()
    deliver(Client(), vendors.decide(passed.vendor_session_id, "approved"))
    assurance_row = AgeAssurance.objects.get(user=viewer)
    assert assurance_row.method == "age_estimation"
    assert client.post(f"/api/v1/rooms/{slug}/playback", HTTP_CF_IPCOUNTRY="GB").status_code == 200
    # from another browser, signed in: the account remembers
    elsewhere = client_for(viewer)
    assert elsewhere.post(f"/api/v1/rooms/{slug}/playback", HTTP_CF_IPCOUNTRY="GB").status_code == 200
    AgeAssurance.objects.filter(pk=assurance_row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert elsewhere.post(f"/api/v1/rooms/{slug}/playback", HTTP_CF_IPCOUNTRY="GB").status_code == 403


def test_the_operator_edits_the_table_and_it_applies_at_once(make_user: Any, geo: None, vendors: FakeVendors) -> None:
    slug = _room(make_user)
    compliance = make_user("compliance", login="policy_cora")
    console = client_for(compliance)
    saved = console.post("/staff/age-policy/", {"region": "fr", "method": "blocked", "reason": "Court order 12/2026."})
    assert saved.status_code == 302
    assert AgePolicy.objects.get(region="FR").method == "blocked"
    entry = AuditEntry.objects.get(action="verification.age_policy_set")
    assert (entry.actor_id, entry.target_id, entry.data) == (
        compliance.pk,
        "FR",
        {"region": "FR", "from": None, "to": "blocked", "reason": "Court order 12/2026."},
    )
    guest = client_for(None)
    blocked = guest.post(f"/api/v1/rooms/{slug}/playback", HTTP_CF_IPCOUNTRY="FR")
    assert blocked.status_code == 403 and blocked.json()["extra"]["reason"] == "verification.region_blocked"

    bad = console.post("/staff/age-policy/", {"region": "France!", "method": "blocked"})
    assert bad.status_code == 400 and AgePolicy.objects.count() == 20

    # the UK asks for an ID check now: an ID vendor runs it, and a verified performer is already an adult
    api = console.put(
        "/api/v1/staff/age-policies/GB",
        data=json.dumps({"method": "id_check", "reason": "Stricter rule."}),
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["method"] == "id_check"
    performer = make_user("performer", login="uk_performer")
    assert client_for(performer).post(f"/api/v1/rooms/{slug}/playback", HTTP_CF_IPCOUNTRY="GB").status_code == 200
    guest.post("/age/check", {"next": "/"}, HTTP_CF_IPCOUNTRY="GB")
    check = AgeCheck.objects.get()
    assert (check.method, check.vendor) == ("id_check", "veriff")
    removed = console.post("/staff/age-policy/FR/remove")
    assert removed.status_code == 302 and not AgePolicy.objects.filter(region="FR").exists()
    assert guest.post(f"/api/v1/rooms/{slug}/playback", HTTP_CF_IPCOUNTRY="FR").status_code == 200
    assert (
        console.post("/staff/age-policy/*/remove").status_code == 302 and AgePolicy.objects.filter(region="*").exists()
    )
