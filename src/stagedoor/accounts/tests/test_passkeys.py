"""Passkeys as a second factor: registration and sign-in ceremonies with a software authenticator (real keys,
real CBOR, real signatures through the `webauthn` library), clones and replays refused, staff may be required."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from stagedoor.accounts.models import Passkey, RecoveryCode, User
from stagedoor.accounts.services.passkeys import relying_party
from stagedoor.conftest import TEST_PASSWORD, totp_now
from stagedoor.core.models import AuditEntry

from .softauthn import SoftAuthenticator

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(path, data=json.dumps(body or {}), content_type="application/json")


def authenticator() -> SoftAuthenticator:
    rp_id, origin = relying_party()
    return SoftAuthenticator(origin=origin, rp_id=rp_id)


def register(client: Client, device: SoftAuthenticator, name: str = "Laptop") -> Any:
    options = post(client, "/api/v1/me/passkeys/options").json()
    return post(client, "/api/v1/me/passkeys", {"name": name, "credential": device.create(options)})


def password_step(user: User) -> Client:
    """A browser that gave the right password to an account with two-factor: the second step is pending."""
    client = Client()
    response = post(client, "/api/v1/auth/login", {"login": user.login, "password": TEST_PASSWORD})
    assert response.status_code == 401 and response.json()["extra"]["otp_required"] is True
    return client


def passkey_step(client: Client, device: SoftAuthenticator, **kw: Any) -> Any:
    options = post(client, "/api/v1/auth/passkey/options").json()
    return post(client, "/api/v1/auth/passkey/verify", {"credential": device.get(options, **kw)})


def test_register_then_sign_in_with_the_passkey(make_user: Callable[..., Any], api_client: Any) -> None:
    user = make_user()
    device = authenticator()
    response = register(api_client(user), device)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Laptop" and body["transports"] == ["internal", "hybrid"]
    assert len(body["recovery_codes"]) == 10  # the first second factor: recovery codes, shown once
    user.refresh_from_db()
    assert user.mfa_enabled is True and RecoveryCode.objects.filter(user=user).count() == 10
    stored = Passkey.objects.get(user=user)
    assert stored.sign_count == 0 and AuditEntry.objects.filter(action="auth.passkey_added").count() == 1

    client = password_step(user)
    assert "_auth_user_id" not in client.session
    signed = passkey_step(client, device)
    assert signed.status_code == 200 and signed.json()["login"] == user.login
    assert client.get("/api/v1/me").status_code == 200
    stored.refresh_from_db()
    assert stored.sign_count == 1 and stored.last_used_at is not None
    assert AuditEntry.objects.filter(action="auth.login", target_id=user.pk).latest("seq").data == {"method": "passkey"}


def test_a_replayed_assertion_and_a_cloned_key_are_refused(make_user: Callable[..., Any], api_client: Any) -> None:
    user = make_user()
    device = authenticator()
    register(api_client(user), device)
    client = password_step(user)
    options = post(client, "/api/v1/auth/passkey/options").json()
    answer = device.get(options)
    assert post(client, "/api/v1/auth/passkey/verify", {"credential": answer}).status_code == 200

    again = password_step(user)  # the same signed answer, replayed: its challenge is gone
    post(again, "/api/v1/auth/passkey/options")
    replay = post(again, "/api/v1/auth/passkey/verify", {"credential": answer})
    assert replay.status_code == 400 and replay.json()["code"] == "auth.passkey_invalid"

    clone = copy.deepcopy(device)
    clone.sign_count = 0  # a copy of the key whose counter lags behind the stored one
    cloned = passkey_step(password_step(user), clone)
    assert cloned.status_code == 400 and cloned.json()["code"] == "auth.passkey_invalid"
    assert Passkey.objects.get(user=user).sign_count == 1


@pytest.mark.parametrize(
    ("tamper", "kw"),
    [
        ("another site's origin", {"origin": "https://evil.example"}),
        ("another RP id", {"rp_id": "evil.example"}),
    ],
)
def test_an_assertion_for_another_site_is_refused(
    make_user: Callable[..., Any], api_client: Any, tamper: str, kw: dict[str, str]
) -> None:
    user = make_user()
    device = authenticator()
    register(api_client(user), device)
    response = passkey_step(password_step(user), device, **kw)
    assert response.status_code == 400 and response.json()["code"] == "auth.passkey_invalid", tamper
    assert Passkey.objects.get(user=user).sign_count == 0


def test_a_key_of_another_account_is_refused(make_user: Callable[..., Any], api_client: Any) -> None:
    alice, mallory = make_user(), make_user()
    alices, mallorys = authenticator(), authenticator()
    register(api_client(alice), alices)
    register(api_client(mallory), mallorys)
    client = password_step(alice)
    options = post(client, "/api/v1/auth/passkey/options").json()
    options["publicKey"]["allowCredentials"] = []  # a browser may offer any credential it has
    response = post(client, "/api/v1/auth/passkey/verify", {"credential": mallorys.get(options)})
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def test_registration_with_a_wrong_challenge_stores_nothing(make_user: Callable[..., Any], api_client: Any) -> None:
    user = make_user()
    client = api_client(user)
    device = authenticator()
    options = post(client, "/api/v1/me/passkeys/options").json()
    options["publicKey"]["challenge"] = "AAAAAAAAAAAAAAAAAAAAAA"
    response = post(client, "/api/v1/me/passkeys", {"name": "x", "credential": device.create(options)})
    assert response.status_code == 400 and response.json()["code"] == "auth.passkey_invalid"
    without_options = post(client, "/api/v1/me/passkeys", {"name": "x", "credential": device.create(options)})
    assert without_options.status_code == 400
    assert Passkey.objects.count() == 0
    user.refresh_from_db()
    assert user.mfa_enabled is False


def test_passkey_options_need_the_password_step(make_user: Callable[..., Any]) -> None:
    response = post(Client(), "/api/v1/auth/passkey/options")
    assert response.status_code == 400 and response.json()["code"] == "auth.no_pending_sign_in"


def test_totp_still_works_beside_a_passkey_unless_the_role_requires_passkeys(
    make_user: Callable[..., Any], api_client: Any, settings: Any
) -> None:
    admin = make_user("admin")  # two-factor (TOTP) on, as staff must
    device = authenticator()
    response = register(api_client(admin), device, name="Security key")
    assert response.status_code == 201 and response.json()["recovery_codes"] == []  # TOTP came first
    body = {"login": admin.login, "password": TEST_PASSWORD, "otp": totp_now(admin)}
    assert post(Client(), "/api/v1/auth/login", body).status_code == 200

    settings.STAGEDOOR_PASSKEY_REQUIRED_ROLES = ["admin"]
    User.objects.filter(pk=admin.pk).update(totp_last_step=0)
    refused = post(Client(), "/api/v1/auth/login", body)
    assert refused.status_code == 403 and refused.json()["code"] == "auth.passkey_required"
    assert passkey_step(password_step(admin), device).status_code == 200


def test_removing_the_last_passkey_of_a_viewer_turns_two_factor_off(
    make_user: Callable[..., Any], api_client: Any
) -> None:
    user = make_user()
    client = api_client(user)
    register(client, authenticator())
    passkey = Passkey.objects.get(user=user)
    assert client.get("/api/v1/me/passkeys").json()[0]["id"] == passkey.pk
    assert client.delete(f"/api/v1/me/passkeys/{passkey.pk}").status_code == 204
    user.refresh_from_db()
    assert user.mfa_enabled is False and not Passkey.objects.filter(user=user).exists()
    assert client.delete(f"/api/v1/me/passkeys/{passkey.pk}").json()["code"] == "auth.passkey_not_found"


def test_a_role_required_to_use_passkeys_is_sent_to_add_one(
    make_user: Callable[..., Any], api_client: Any, settings: Any
) -> None:
    from stagedoor.wallet.tests.conftest import consent

    settings.STAGEDOOR_PASSKEY_REQUIRED_ROLES = ["compliance"]
    officer = consent(make_user("compliance"))
    client = api_client(officer)
    page = client.get("/staff/")
    assert page.status_code == 302 and page["Location"] == "/account/security"
    assert client.get("/account/security").status_code == 200
    register(client, authenticator())
    assert client.get("/staff/").status_code == 200
