"""Sessions a user sees and revokes; password change and two-factor reset sign the others out; new-device mail."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from stagedoor.accounts import services
from stagedoor.accounts.devices import describe_device, network_of
from stagedoor.accounts.models import User, UserSession
from stagedoor.conftest import TEST_PASSWORD, totp_now
from stagedoor.core.models import AuditEntry

pytestmark = pytest.mark.django_db

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 "
    "Edg/126.0"
)
GB_IP = "81.2.69.160"  # GeoIP2 test range: Great Britain
NEW_PASSWORD = "another-long-pass-phrase-9"


def signed_in(user: User, *, ua: str = FIREFOX_LINUX, ip: str = GB_IP, otp: str = "") -> Client:
    """A browser that signed in through the API login (so it has a session record)."""
    client = Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)
    consent = {"age_confirmed": True, "terms_accepted": True}  # pages need the entry consent
    assert client.post("/api/v1/consent", data=json.dumps(consent), content_type="application/json").status_code == 201
    body = {"login": user.login, "password": TEST_PASSWORD, **({"otp": otp} if otp else {})}
    response = client.post("/api/v1/auth/login", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return client


def new_device_mails() -> list[Any]:
    return [m for m in mail.outbox if m.subject == "New sign-in to your Stagedoor account"]


@pytest.mark.parametrize(
    ("ua", "device"),
    [
        (FIREFOX_LINUX, "Firefox on Linux"),
        (CHROME_ANDROID, "Chrome on Android"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (EDGE_WINDOWS, "Edge on Windows"),
        ("curl/8.5.0", "curl"),
        ("", "Unknown device"),
        ("SomethingElse/1.0", "Unknown browser"),
    ],
)
def test_device_names_a_person_recognises(ua: str, device: str) -> None:
    assert describe_device(ua) == device


def test_network_is_the_address_truncated() -> None:
    assert network_of("203.0.113.77") == "203.0.113.0/24"
    assert network_of("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert network_of("unknown") == ""


def test_login_records_the_session_with_device_place_network_and_mails_a_new_device(
    make_user: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        client = signed_in(user)
    rows = client.get("/api/v1/me/sessions").json()
    assert len(rows) == 1
    row = rows[0]
    assert (row["device"], row["place"], row["network"], row["current"]) == (
        "Firefox on Linux",
        "GB",
        "81.2.69.0/24",
        True,
    )
    record = UserSession.objects.get(pk=row["id"])
    assert GB_IP not in json.dumps(rows) and record.network == "81.2.69.0/24"
    [notice] = new_device_mails()
    assert notice.to == [user.email] and "Firefox on Linux, from GB, 81.2.69.0/24" in notice.body
    assert "/account/security" in notice.body

    with django_capture_on_commit_callbacks(execute=True):
        signed_in(user)  # the same device again: no second notice
    assert len(new_device_mails()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(user, ua=CHROME_ANDROID)  # a new one: a notice
    assert len(new_device_mails()) == 2 and "Chrome on Android" in new_device_mails()[1].body
    assert UserSession.objects.filter(user=user, ended_at__isnull=True).count() == 3


def test_signup_starts_a_session_without_a_new_device_notice() -> None:
    client = Client(HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR=GB_IP)
    body = {"email": "wren@example.test", "login": "wren_k", "password": "a-long-pass-phrase-7"}
    assert client.post("/api/v1/auth/signup", data=json.dumps(body), content_type="application/json").status_code == 201
    assert new_device_mails() == []
    assert UserSession.objects.filter(user__login="wren_k").count() == 0  # API sign-up does not sign in


def test_revoking_another_session_signs_it_out_on_its_next_request(make_user: Callable[..., Any]) -> None:
    user = make_user()
    laptop = signed_in(user)
    phone = signed_in(user, ua=CHROME_ANDROID)
    phone_id = next(r["id"] for r in phone.get("/api/v1/me/sessions").json() if r["current"])

    assert laptop.delete(f"/api/v1/me/sessions/{phone_id}").status_code == 204

    response = phone.get("/api/v1/me")
    assert response.status_code == 401
    assert laptop.get("/api/v1/me").status_code == 200
    record = UserSession.objects.get(pk=phone_id)
    assert record.ended_at is not None and record.end_reason == "revoked"
    assert AuditEntry.objects.filter(action="auth.session_revoked", target_id=phone_id).count() == 1
    assert [r["device"] for r in laptop.get("/api/v1/me/sessions").json()] == ["Firefox on Linux"]


def test_another_users_session_cannot_be_revoked(make_user: Callable[..., Any]) -> None:
    owner, stranger = make_user(), make_user()
    victim = signed_in(owner)
    victim_id = victim.get("/api/v1/me/sessions").json()[0]["id"]
    response = signed_in(stranger, ua=CHROME_ANDROID).delete(f"/api/v1/me/sessions/{victim_id}")
    assert response.status_code == 404 and response.json()["code"] == "auth.session_not_found"
    assert UserSession.objects.get(pk=victim_id).ended_at is None
    assert victim.get("/api/v1/me").status_code == 200


def test_password_change_signs_every_other_session_out_and_says_so(make_user: Callable[..., Any]) -> None:
    user = make_user()
    laptop, phone, tablet = signed_in(user), signed_in(user, ua=CHROME_ANDROID), signed_in(user, ua=SAFARI_IPHONE)
    body = {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD}
    response = laptop.post("/api/v1/me/password", data=json.dumps(body), content_type="application/json")

    assert response.status_code == 200
    assert response.json() == {
        "code": "auth.password_changed",
        "message": "Password changed. 2 other sessions signed out.",
        "sessions_ended": 2,
    }
    assert laptop.get("/api/v1/me").status_code == 200  # this one stays
    assert phone.get("/api/v1/me").status_code == 401 and tablet.get("/api/v1/me").status_code == 401
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="auth.password_changed", target_id=user.pk).count() == 1


def test_password_change_with_a_wrong_current_password_changes_nothing(make_user: Callable[..., Any]) -> None:
    user = make_user()
    laptop, phone = signed_in(user), signed_in(user, ua=CHROME_ANDROID)
    body = {"current_password": "not-my-password", "password": NEW_PASSWORD}
    response = laptop.post("/api/v1/me/password", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "auth.wrong_password"
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert phone.get("/api/v1/me").status_code == 200
    assert not AuditEntry.objects.filter(action="auth.password_changed").exists()


def test_turning_two_factor_off_signs_the_other_sessions_out(make_user: Callable[..., Any]) -> None:
    user = make_user(mfa=True)
    laptop = signed_in(user, otp=totp_now(user))
    User.objects.filter(pk=user.pk).update(totp_last_step=0)  # the next code may fall in the same time step
    phone = signed_in(user, ua=CHROME_ANDROID, otp=totp_now(user))
    User.objects.filter(pk=user.pk).update(totp_last_step=0)
    user.refresh_from_db()
    response = laptop.post(
        "/api/v1/me/mfa/disable", data=json.dumps({"code": totp_now(user)}), content_type="application/json"
    )
    assert response.status_code == 204
    assert phone.get("/api/v1/me").status_code == 401 and laptop.get("/api/v1/me").status_code == 200


def test_a_staff_credentials_reset_ends_every_session(make_user: Callable[..., Any]) -> None:
    user, agent = make_user(), make_user("support_l2")
    laptop = signed_in(user)
    services.user_reset_credentials(user=user, new_password=NEW_PASSWORD, actor=agent, reason="identity checked")
    assert laptop.get("/api/v1/me").status_code == 401
    entry = AuditEntry.objects.get(action="auth.sessions_ended", target_id=user.pk)
    assert entry.actor_id == agent.pk and entry.data["reason"] == "credentials_reset"


def test_logout_ends_the_record(make_user: Callable[..., Any]) -> None:
    user = make_user()
    client = signed_in(user)
    record_id = client.get("/api/v1/me/sessions").json()[0]["id"]
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert UserSession.objects.get(pk=record_id).end_reason == "signed_out"


def test_last_seen_moves_forward_at_most_every_five_minutes(make_user: Callable[..., Any]) -> None:
    user = make_user()
    client = signed_in(user)
    record = UserSession.objects.get(user=user)
    recent = timezone.now() - timedelta(minutes=2)
    UserSession.objects.filter(pk=record.pk).update(last_seen_at=recent)
    client.get("/api/v1/me")
    assert UserSession.objects.get(pk=record.pk).last_seen_at == recent
    old = timezone.now() - timedelta(hours=3)
    UserSession.objects.filter(pk=record.pk).update(last_seen_at=old)
    client.get("/api/v1/me")
    assert UserSession.objects.get(pk=record.pk).last_seen_at > timezone.now() - timedelta(minutes=1)


def test_a_session_without_a_record_gets_one_quietly(make_user: Callable[..., Any], api_client: Any) -> None:
    user = make_user()
    client = api_client(user)  # force_login: no login view ran
    rows = client.get("/api/v1/me/sessions").json()
    assert len(rows) == 1 and rows[0]["current"] is True
    assert new_device_mails() == []


def test_security_page_lists_sessions_and_tokens_and_revokes(make_user: Callable[..., Any]) -> None:
    user = make_user()
    services.api_token_create(user=user, name="my script")
    laptop, phone = signed_in(user), signed_in(user, ua=CHROME_ANDROID)
    page = laptop.get("/account/security")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Firefox on Linux" in html and "Chrome on Android" in html and "this device" in html
    assert "my script" in html and "81.2.69.0/24" in html and GB_IP not in html

    phone_id = UserSession.objects.get(user=user, device="Chrome on Android").pk
    response = laptop.post(f"/account/sessions/{phone_id}/revoke", follow=True)
    assert "Signed out Chrome on Android." in response.content.decode()
    assert phone.get("/api/v1/me").status_code == 401


def test_password_change_page_says_how_many_sessions_ended(make_user: Callable[..., Any]) -> None:
    user = make_user()
    laptop = signed_in(user)
    signed_in(user, ua=CHROME_ANDROID)
    response = laptop.post(
        "/account/password", {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD}, follow=True
    )
    assert "Password changed. 1 other session signed out." in response.content.decode()
    assert laptop.get("/account/security").status_code == 200

    response = laptop.post("/account/password", {"current_password": "wrong-one", "password": "x"}, follow=True)
    assert "Your current password is not right." in response.content.decode()
