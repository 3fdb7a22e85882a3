from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from stagedoor.accounts.models import ApiToken, EntryConsent, RecoveryCode, User
from stagedoor.conftest import TEST_PASSWORD, totp_now
from stagedoor.core.models import AuditEntry

pytestmark = pytest.mark.django_db

GOOD = {"email": "ivy@example.test", "login": "ivy_q", "password": "a-long-pass-phrase-7", "display_name": "Ivy"}


def post(client: Client, path: str, body: Any, **kw: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json", **kw)


def test_signup_creates_a_viewer_with_argon2_password_and_audit_row() -> None:
    response = post(Client(), "/api/v1/auth/signup", GOOD)
    assert response.status_code == 201
    body = response.json()
    assert body["login"] == "ivy_q" and body["role"] == "viewer" and body["mfa_enabled"] is False
    user = User.objects.get(login="ivy_q")
    assert user.password.startswith("argon2$argon2id$")
    assert AuditEntry.objects.filter(action="account.signup", target_id=user.pk).count() == 1


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"email": "not-an-email"}, "email", "validation_error"),
        ({"login": "No Spaces!"}, "login", "validation_error"),
        ({"login": "ab"}, "login", "validation_error"),
        ({"password": "short"}, "password", "validation_error"),
        ({"password": "password123"}, "password", "validation_error"),
    ],
)
def test_signup_rejects_bad_fields_and_creates_nothing(change: dict[str, str], field: str, code: str) -> None:
    response = post(Client(), "/api/v1/auth/signup", {**GOOD, **change})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and field in body["extra"]["fields"]
    assert User.objects.count() == 0 and AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, "request.malformed"),
        ({"email": "x@example.test"}, 422, "validation_error"),
        ({**GOOD, "login": "x" * 5000}, 422, "validation_error"),
        ({**GOOD, "password": 12345}, 422, "validation_error"),
        ([1, 2, 3], 400, "request.malformed"),
    ],
)
def test_signup_malformed_bodies(body: Any, status: int, code: str) -> None:
    data = body if isinstance(body, str) else json.dumps(body)
    response = Client().post("/api/v1/auth/signup", data=data, content_type="application/json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message", "extra"}
    assert User.objects.count() == 0


def test_duplicate_login_and_email_case_insensitive(make_user: Any) -> None:
    make_user(login="ivy_q")
    response = post(Client(), "/api/v1/auth/signup", {**GOOD, "email": "IVY_Q@EXAMPLE.TEST", "login": "IVY_Q"})
    assert response.status_code == 422
    fields = response.json()["extra"]["fields"]
    assert fields["login"] == ["That login is taken."]
    assert fields["email"] == ["An account with that e-mail already exists."]
    assert User.objects.count() == 1


def test_login_logout_with_session(make_user: Any) -> None:
    user = make_user()
    client = Client()
    response = post(client, "/api/v1/auth/login", {"login": user.login, "password": TEST_PASSWORD})
    assert response.status_code == 200 and response.json()["id"] == user.pk
    assert client.get("/api/v1/me").json()["login"] == user.login
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/me").status_code == 401
    assert AuditEntry.objects.filter(action="auth.login", target_id=user.pk).count() == 1


def test_wrong_password_then_lockout(make_user: Any, settings: Any) -> None:
    user = make_user()
    client = Client()
    for _ in range(4):
        response = post(client, "/api/v1/auth/login", {"login": user.login, "password": "wrong-password"})
        assert response.status_code == 401 and response.json()["code"] == "auth.invalid_credentials"
    response = post(client, "/api/v1/auth/login", {"login": user.login, "password": "wrong-password"})
    assert response.status_code == 423 and response.json()["code"] == "auth.locked"
    # Even the right password is refused while locked.
    response = post(client, "/api/v1/auth/login", {"login": user.login, "password": TEST_PASSWORD})
    assert response.status_code == 423
    user.refresh_from_db()
    assert user.locked_until is not None and user.locked_until > timezone.now() + timedelta(minutes=14)
    assert AuditEntry.objects.filter(action="auth.locked_out", target_id=user.pk).count() == 1
    assert client.get("/api/v1/me").status_code == 401


def test_ip_throttle(make_user: Any) -> None:
    client = Client()
    codes = [
        post(client, "/api/v1/auth/login", {"login": f"nobody{i}", "password": "x"}).json()["code"] for i in range(21)
    ]
    assert codes[:20] == ["auth.invalid_credentials"] * 20
    assert codes[20] == "auth.throttled"


def test_login_throttle_window_slides_across_the_minute_boundary() -> None:
    from django.core.cache import cache

    from stagedoor.accounts.services import sliding_window_count

    cache.clear()
    boundary = 1_800_000_000 - 1_800_000_000 % 60 + 60.0
    # Ten hits in the last second of one minute, ten in the first second of the next:
    # a fixed window would count 10 again; the sliding window still sees ~20.
    counts = [sliding_window_count("t", window_s=60, now=boundary - 1 + i * 0.05) for i in range(10)]
    counts += [sliding_window_count("t", window_s=60, now=boundary + i * 0.05) for i in range(10)]
    assert counts[9] == 10 and counts[10] > 10.9
    assert 19.5 < counts[-1] <= 20
    # A minute later the old hits have slid out.
    assert sliding_window_count("t", window_s=60, now=boundary + 125) == 1


def test_two_factor_setup_login_and_recovery_codes(make_user: Any) -> None:
    user = make_user()
    client = Client()
    client.force_login(user)
    setup = client.post("/api/v1/me/mfa/setup").json()
    assert setup["otpauth_uri"].startswith("otpauth://totp/Stagedoor:")
    bad = post(client, "/api/v1/me/mfa/confirm", {"code": "000000"})
    assert bad.status_code == 401 and bad.json()["code"] == "auth.invalid_otp"
    user.refresh_from_db()
    assert user.mfa_enabled is False
    codes = post(client, "/api/v1/me/mfa/confirm", {"code": pyotp.TOTP(setup["secret"]).now()}).json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert RecoveryCode.objects.filter(user=user).count() == 10
    assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()  # stored hashed

    fresh = Client()
    response = post(fresh, "/api/v1/auth/login", {"login": user.login, "password": TEST_PASSWORD})
    assert response.status_code == 401 and response.json()["extra"] == {"otp_required": True, "passkey": False}
    assert fresh.get("/api/v1/me").status_code == 401
    # A recovery code works once.
    assert (
        post(fresh, "/api/v1/auth/login", {"login": user.login, "password": TEST_PASSWORD, "otp": codes[0]}).status_code
        == 200
    )
    again = post(Client(), "/api/v1/auth/login", {"login": user.login, "password": TEST_PASSWORD, "otp": codes[0]})
    assert again.status_code == 401 and again.json()["code"] == "auth.invalid_otp"


def test_totp_code_cannot_be_replayed(make_user: Any) -> None:
    user = make_user(mfa=True)
    code = totp_now(user)
    assert (
        post(Client(), "/api/v1/auth/login", {"login": user.login, "password": TEST_PASSWORD, "otp": code}).status_code
        == 200
    )
    replay = post(Client(), "/api/v1/auth/login", {"login": user.login, "password": TEST_PASSWORD, "otp": code})
    assert replay.status_code == 401 and replay.json()["code"] == "auth.invalid_otp"


def test_mfa_cannot_be_disabled_by_performers(make_user: Any) -> None:
    performer = make_user("performer")
    client = Client()
    client.force_login(performer)
    response = post(client, "/api/v1/me/mfa/disable", {"code": totp_now(performer)})
    assert response.status_code == 403 and response.json()["code"] == "auth.mfa_mandatory"
    performer.refresh_from_db()
    assert performer.mfa_enabled


def test_personal_api_tokens(make_user: Any) -> None:
    user = make_user()
    client = Client()
    client.force_login(user)
    created = post(client, "/api/v1/me/tokens", {"name": "my script"})
    assert created.status_code == 201
    token = created.json()["token"]
    assert re.fullmatch(r"sd_[0-9a-f]{10}_[A-Za-z0-9_-]{43}", token)
    assert not ApiToken.objects.filter(token_hash=token).exists()
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bearer.get("/api/v1/me").json()["login"] == user.login
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token[:-1]}x").get("/api/v1/me").status_code == 401
    assert client.delete(f"/api/v1/me/tokens/{created.json()['id']}").status_code == 204
    assert bearer.get("/api/v1/me").status_code == 401
    assert client.delete(f"/api/v1/me/tokens/{created.json()['id']}").json()["code"] == "not_found"


def test_session_api_writes_need_csrf(make_user: Any) -> None:
    user = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = post(client, "/api/v1/me/tokens", {"name": "x"})
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert ApiToken.objects.count() == 0


def test_password_reset_by_mail(make_user: Any) -> None:
    user = make_user()
    assert post(Client(), "/api/v1/auth/password-reset", {"email": "nobody@example.test"}).status_code == 202
    assert mail.outbox == []
    assert post(Client(), "/api/v1/auth/password-reset", {"email": user.email.upper()}).status_code == 202
    assert len(mail.outbox) == 1
    link = re.search(r"/password/reset/([^/]+)/(\S+)", str(mail.outbox[0].body))
    assert link is not None
    uid, token = link.groups()
    weak = post(Client(), "/api/v1/auth/password-reset/confirm", {"uid": uid, "token": token, "password": "123"})
    assert weak.status_code == 422
    ok = post(
        Client(), "/api/v1/auth/password-reset/confirm", {"uid": uid, "token": token, "password": "brand-new-phrase-42"}
    )
    assert ok.status_code == 200
    reused = post(
        Client(), "/api/v1/auth/password-reset/confirm", {"uid": uid, "token": token, "password": "another-phrase-43"}
    )
    assert reused.status_code == 400 and reused.json()["code"] == "auth.invalid_reset_token"
    user.refresh_from_db()
    assert user.check_password("brand-new-phrase-42")


def test_consent_is_recorded_and_required() -> None:
    client = Client()
    refused = post(client, "/api/v1/consent", {"age_confirmed": True, "terms_accepted": False})
    assert refused.status_code == 422 and "terms_accepted" in refused.json()["extra"]["fields"]
    assert EntryConsent.objects.count() == 0
    assert client.get("/").status_code == 302
    assert post(client, "/api/v1/consent", {"age_confirmed": True, "terms_accepted": True}).status_code == 201
    record = EntryConsent.objects.get()
    assert record.terms_version and len(record.ip_hash) == 64 and "127.0.0.1" not in record.ip_hash
    assert client.get("/").status_code == 200


def test_staff_without_mfa_is_refused_until_enabled(make_user: Any) -> None:
    admin = make_user("admin", mfa=False)
    client = Client()
    client.force_login(admin)
    response = client.get("/api/v1/staff/users")
    assert response.status_code == 403 and response.json()["code"] == "auth.mfa_required"


def test_role_change_is_audited_and_not_self(make_user: Any) -> None:
    admin, target = make_user("admin"), make_user()
    client = Client()
    client.force_login(admin)
    assert post(client, f"/api/v1/staff/users/{target.pk}/role", {"role": "moderator"}).json()["role"] == "moderator"
    assert post(client, f"/api/v1/staff/users/{target.pk}/role", {"role": "emperor"}).status_code == 422
    assert post(client, f"/api/v1/staff/users/{admin.pk}/role", {"role": "viewer"}).status_code == 422
    entry = AuditEntry.objects.get(action="account.role_changed")
    assert entry.data == {"from": "viewer", "to": "moderator"} and entry.actor_id == admin.pk
    admin.refresh_from_db()
    assert admin.role == "admin"


def test_admin_site_needs_the_sites_login_and_two_factor(make_user: Any) -> None:
    client = Client()
    client.post(
        "/api/v1/consent", data={"age_confirmed": True, "terms_accepted": True}, content_type="application/json"
    )
    assert client.get("/admin/login/")["Location"] == "/login?next=/admin/"
    admin_without_mfa = make_user("admin", mfa=False)
    client.force_login(admin_without_mfa)
    assert client.get("/admin/")["Location"] == "/account/2fa/setup"
    admin = make_user("admin")
    client.force_login(admin)
    page = client.get("/admin/core/auditentry/")
    assert page.status_code == 200
    assert client.get("/admin/accounts/user/add/").status_code == 403  # read-only: changes go through audited services
    viewer = make_user()
    client.force_login(viewer)
    assert client.get("/admin/").status_code == 302


def test_consent_given_before_login_follows_the_account(make_user: Any) -> None:
    user = make_user()
    client = Client()
    post(client, "/api/v1/consent", {"age_confirmed": True, "terms_accepted": True})
    assert EntryConsent.objects.get().user is None
    assert post(client, "/api/v1/auth/login", {"login": user.login, "password": TEST_PASSWORD}).status_code == 200
    assert EntryConsent.objects.get().user == user
    # A fresh browser of the same account needs no new interstitial.
    other = Client()
    other.force_login(user)
    assert other.get("/").status_code == 200
