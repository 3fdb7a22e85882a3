"""Passkeys (WebAuthn) as a second factor, beside TOTP: registration and authentication ceremonies.

Each ceremony is options → browser → verify: the options carry a fresh challenge the caller keeps (in the
session) and hands back with the browser's answer. The `webauthn` package checks origins, challenges, signatures
and the signature counter; this module stores what it returns. A passkey turns two-factor on; removing the last
factor turns it off (unless the role needs one).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from stagedoor.accounts import errors
from stagedoor.accounts.models import Passkey, User
from stagedoor.accounts.services.mfa import _new_recovery_codes
from stagedoor.accounts.services.user_sessions import user_sessions_end_others
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed

RP_NAME = "Stagedoor"
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


def relying_party() -> tuple[str, str]:
    """(RP id, origin) from the site's base URL: the host name, and scheme://host[:port]."""
    parsed = urlparse(settings.STAGEDOOR.base_url)
    return parsed.hostname or "localhost", f"{parsed.scheme}://{parsed.netloc}"


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(p.credential_id),
            transports=[AuthenticatorTransport(t) for t in p.transports if t in _TRANSPORTS],
        )
        for p in Passkey.objects.filter(user=user)
    ]


def passkey_registration_options(*, user: User) -> tuple[dict[str, Any], bytes]:
    """Options for `navigator.credentials.create` (JSON-ready) and the challenge to keep until verification."""
    rp_id, _ = relying_party()
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=RP_NAME,
        user_name=user.login,
        user_id=user.pk.encode(),
        user_display_name=user.shown_name,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED
        ),
    )
    return json.loads(options_to_json(options)), options.challenge


def passkey_register(
    *, user: User, credential: dict[str, Any], challenge: bytes, name: str, ip: str = ""
) -> tuple[Passkey, list[str]]:
    """Verify the browser's attestation and store the passkey. Returns it, and recovery codes when it is the
    account's first second factor (shown once)."""
    name = (name or "").strip() or "Passkey"
    if len(name) > 60:
        raise ValidationFailed(extra={"fields": {"name": ["Use at most 60 characters."]}})
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin
        )
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
        raise errors.PasskeyInvalid(extra={"reason": str(exc)[:200]}) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise errors.PasskeyInvalid("This passkey is already registered.")
    transports = (credential.get("response") or {}).get("transports") or []
    codes: list[str] = []
    with transaction.atomic():
        passkey = Passkey.objects.create(
            user=user,
            name=name,
            credential_id=credential_id,
            public_key=bytes_to_base64url(verified.credential_public_key),
            sign_count=verified.sign_count,
            transports=[t for t in transports if t in _TRANSPORTS],
        )
        if not user.mfa_enabled:
            User.objects.filter(pk=user.pk).update(mfa_enabled=True)
            user.mfa_enabled = True
            codes = _new_recovery_codes(user)
        audit_record(actor=user, action="auth.passkey_added", target=passkey, ip=ip, data={"name": name})
    return passkey, codes


def passkey_authentication_options(*, user: User) -> tuple[dict[str, Any], bytes]:
    """Options for `navigator.credentials.get` naming the user's passkeys, and the challenge to keep."""
    descriptors = _descriptors(user)
    if not descriptors:
        raise errors.PasskeyNotFound("This account has no passkey.")
    rp_id, _ = relying_party()
    options = generate_authentication_options(
        rp_id=rp_id, allow_credentials=descriptors, user_verification=UserVerificationRequirement.PREFERRED
    )
    return json.loads(options_to_json(options)), options.challenge


def passkey_verify(*, user: User, credential: dict[str, Any], challenge: bytes, ip: str = "") -> Passkey:
    """Check the browser's assertion against the user's stored passkey; move its counter forward (once)."""
    raw_id = str(credential.get("rawId") or credential.get("id") or "")
    passkey = Passkey.objects.filter(user=user, credential_id=raw_id).first()
    if passkey is None:
        raise errors.PasskeyInvalid("That passkey does not belong to this account.")
    rp_id, origin = relying_party()
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=base64url_to_bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
        audit_record(actor=user, action="auth.passkey_failed", target=passkey, ip=ip, data={"reason": str(exc)[:200]})
        raise errors.PasskeyInvalid() from None
    # Conditional update: a replayed or cloned assertion with a counter not above the stored one loses the race.
    moved = Passkey.objects.filter(pk=passkey.pk, sign_count=passkey.sign_count).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    if not moved:
        raise errors.PasskeyInvalid()
    passkey.sign_count = verified.new_sign_count
    return passkey


def passkey_delete(*, user: User, passkey_id: str, ip: str = "", keep_session_id: str = "") -> int:
    """Remove a passkey; the last second factor of a role that needs one stays. Signs the other sessions out
    (it is a two-factor change). Returns how many sessions ended."""
    with transaction.atomic():
        passkey = Passkey.objects.select_for_update().filter(pk=passkey_id, user=user).first()
        if passkey is None:
            raise errors.PasskeyNotFound()
        others = Passkey.objects.filter(user=user).exclude(pk=passkey.pk).count()
        has_totp = user.mfa_enabled and bool(user.totp_secret)
        if not others and not has_totp and user.mfa_required:
            raise errors.MfaCannotDisable("Your role needs a second factor: add another before removing this one.")
        passkey.delete()
        if not others and not has_totp:
            User.objects.filter(pk=user.pk).update(mfa_enabled=False)
            user.mfa_enabled = False
        audit_record(actor=user, action="auth.passkey_removed", target=user, ip=ip, data={"name": passkey.name})
        return user_sessions_end_others(user=user, keep_session_id=keep_session_id, reason="passkey_removed", ip=ip)
