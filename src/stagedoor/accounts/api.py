"""Accounts API: sign-up, login, two-factor, tokens, consent, staff tools (performer applications: verification)."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest
from ninja import Router, Status
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from stagedoor.accounts import errors, schemas, selectors, services
from stagedoor.accounts.auth import AUTH, optional_user, requires
from stagedoor.accounts.models import Passkey, User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.sessions import (
    CONSENT_KEY,
    PENDING_MFA_KEY,
    current_session_id,
    pending_mfa_user,
    session_login,
    session_logout,
)
from stagedoor.core.audit import audit_entries
from stagedoor.core.errors import NotAuthenticated
from stagedoor.core.middleware import client_ip

router = Router(tags=["accounts"])
PASSKEY_LOGIN_KEY = "passkey_login_challenge"
PASSKEY_REGISTER_KEY = "passkey_register_challenge"


def _me(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    if user is None:
        raise NotAuthenticated()
    return user  # type: ignore[no-any-return]


# --- anonymous -----------------------------------------------------------------------------


@router.post("/auth/signup", response={201: schemas.UserOut}, auth=None)
def signup(request: HttpRequest, payload: schemas.SignupIn) -> Status[object]:
    user = services.user_signup(
        email=payload.email,
        login=payload.login,
        password=payload.password,
        display_name=payload.display_name,
        ip=client_ip(request),
    )
    return Status(201, user)


@router.post("/auth/login", response=schemas.UserOut, auth=None)
def login(request: HttpRequest, payload: schemas.LoginIn) -> User:
    ip = client_ip(request)
    user = services.user_authenticate(login=payload.login, password=payload.password, ip=ip)
    method = "password"
    if user.mfa_enabled:
        if not payload.otp:
            # The second step may be a passkey: /auth/passkey/options and /auth/passkey/verify finish this sign-in.
            request.session[PENDING_MFA_KEY] = user.pk
            passkey = Passkey.objects.filter(user=user).exists()
            raise errors.InvalidOtp(
                "This account needs a two-factor code in `otp`" + (" or a passkey." if passkey else "."),
                extra={"otp_required": True, "passkey": passkey},
            )
        method = services.mfa_verify(user=user, code=payload.otp, ip=ip)
    session_login(request, user, method=method)
    return user


@router.post("/auth/password-reset", response={202: schemas.AuthMessageOut}, auth=None)
def password_reset(request: HttpRequest, payload: schemas.PasswordResetIn) -> Status[object]:
    services.password_reset_request(email=payload.email, ip=client_ip(request))
    return Status(
        202, {"code": "auth.password_reset_sent", "message": "If that address has an account, a link is on its way."}
    )


@router.post("/auth/password-reset/confirm", response=schemas.AuthMessageOut, auth=None)
def password_reset_confirm(request: HttpRequest, payload: schemas.PasswordResetConfirmIn) -> dict[str, str]:
    services.password_reset_confirm(
        uid=payload.uid, token=payload.token, new_password=payload.password, ip=client_ip(request)
    )
    return {"code": "auth.password_changed", "message": "Your password was changed. Sign in with it now."}


@router.post("/consent", response={201: schemas.ConsentOut}, auth=None)
def consent(request: HttpRequest, payload: schemas.ConsentIn) -> Status[object]:
    if not request.session.session_key:
        request.session.save()
    record = services.entry_consent_record(
        user=optional_user(request),
        session_key=request.session.session_key or "",
        age_confirmed=payload.age_confirmed,
        terms_accepted=payload.terms_accepted,
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )
    request.session[CONSENT_KEY] = record.terms_version
    return Status(201, record)


@router.post("/auth/passkey/options", response=schemas.WebAuthnOptionsOut, auth=None)
def passkey_login_options(request: HttpRequest) -> dict[str, object]:
    user = pending_mfa_user(request)
    if user is None:
        raise errors.NoPendingSignIn()
    options, challenge = services.passkey_authentication_options(user=user)
    request.session[PASSKEY_LOGIN_KEY] = bytes_to_base64url(challenge)
    return {"publicKey": options}


@router.post("/auth/passkey/verify", response=schemas.UserOut, auth=None)
def passkey_login_verify(request: HttpRequest, payload: schemas.CredentialIn) -> User:
    user = pending_mfa_user(request)
    challenge = request.session.pop(PASSKEY_LOGIN_KEY, None)  # each challenge answers once
    if user is None or not challenge:
        raise errors.NoPendingSignIn()
    services.passkey_verify(
        user=user, credential=payload.credential, challenge=base64url_to_bytes(challenge), ip=client_ip(request)
    )
    session_login(request, user, method="passkey")
    return user


# --- signed in -----------------------------------------------------------------------------


@router.post("/auth/logout", response={204: None}, auth=AUTH)
def logout(request: HttpRequest) -> Status[object]:
    session_logout(request)
    return Status(204, None)


@router.get("/me", response=schemas.UserOut, auth=AUTH)
def me(request: HttpRequest) -> User:
    return _me(request)


@router.patch("/me", response=schemas.UserOut, auth=AUTH)
def me_update(request: HttpRequest, payload: schemas.ProfileIn) -> User:
    return services.user_update_profile(user=_me(request), display_name=payload.display_name)


@router.post("/me/mfa/setup", response=schemas.MfaSetupOut, auth=AUTH)
def mfa_setup(request: HttpRequest) -> dict[str, str]:
    setup = services.mfa_setup_begin(user=_me(request))
    return {"secret": setup.secret, "otpauth_uri": setup.uri}


@router.post("/me/mfa/confirm", response=schemas.RecoveryCodesOut, auth=AUTH)
def mfa_confirm(request: HttpRequest, payload: schemas.CodeIn) -> dict[str, list[str]]:
    codes = services.mfa_setup_confirm(user=_me(request), code=payload.code, ip=client_ip(request))
    return {"recovery_codes": codes}


@router.post("/me/mfa/disable", response={204: None}, auth=AUTH)
def mfa_disable(request: HttpRequest, payload: schemas.CodeIn) -> Status[object]:
    services.mfa_disable(
        user=_me(request), code=payload.code, ip=client_ip(request), keep_session_id=current_session_id(request)
    )
    return Status(204, None)


@router.post("/me/mfa/recovery-codes", response=schemas.RecoveryCodesOut, auth=AUTH)
def mfa_recovery_codes(request: HttpRequest, payload: schemas.CodeIn) -> dict[str, list[str]]:
    codes = services.recovery_codes_regenerate(user=_me(request), code=payload.code, ip=client_ip(request))
    return {"recovery_codes": codes}


@router.get("/me/tokens", response=list[schemas.TokenOut], auth=AUTH)
def tokens(request: HttpRequest) -> object:
    return selectors.api_tokens_of(_me(request))


@router.post("/me/tokens", response={201: schemas.TokenCreatedOut}, auth=AUTH)
def token_create(request: HttpRequest, payload: schemas.TokenIn) -> Status[object]:
    token, plaintext = services.api_token_create(user=_me(request), name=payload.name, ip=client_ip(request))
    return Status(
        201,
        {
            "id": token.id,
            "name": token.name,
            "prefix": token.prefix,
            "created_at": token.created_at,
            "last_used_at": token.last_used_at,
            "token": plaintext,
        },
    )


@router.delete("/me/tokens/{token_id}", response={204: None}, auth=AUTH)
def token_revoke(request: HttpRequest, token_id: str) -> Status[object]:
    services.api_token_revoke(user=_me(request), token_id=token_id, ip=client_ip(request))
    return Status(204, None)


def _ended_message(count: int) -> str:
    return f"{count} other session{'s' * (count != 1)} signed out." if count else "No other session was signed in."


@router.post("/me/password", response=schemas.SessionsEndedOut, auth=AUTH)
def password_change(request: HttpRequest, payload: schemas.PasswordChangeIn) -> dict[str, object]:
    user = _me(request)
    ended = services.user_password_change(
        user=user,
        current_password=payload.current_password,
        new_password=payload.password,
        keep_session_id=current_session_id(request),
        ip=client_ip(request),
    )
    if current_session_id(request):
        update_session_auth_hash(request, user)  # this session stays signed in
    return {
        "code": "auth.password_changed",
        "message": "Password changed. " + _ended_message(ended),
        "sessions_ended": ended,
    }


@router.get("/me/sessions", response=list[schemas.SessionOut], auth=AUTH)
def sessions(request: HttpRequest) -> list[dict[str, object]]:
    current = current_session_id(request)
    return [
        {
            "id": s.id,
            "device": s.device,
            "place": s.place,
            "network": s.network,
            "created_at": s.created_at,
            "last_seen_at": s.last_seen_at,
            "current": s.id == current,
        }
        for s in selectors.user_sessions_of(_me(request))
    ]


@router.delete("/me/sessions/{session_id}", response={204: None}, auth=AUTH)
def session_revoke(request: HttpRequest, session_id: str) -> Status[object]:
    services.user_session_revoke(user=_me(request), session_id=session_id[:40], ip=client_ip(request))
    if session_id == current_session_id(request):
        session_logout(request, reason="revoked")
    return Status(204, None)


@router.get("/me/passkeys", response=list[schemas.PasskeyOut], auth=AUTH)
def passkeys(request: HttpRequest) -> object:
    return selectors.passkeys_of(_me(request))


@router.post("/me/passkeys/options", response=schemas.WebAuthnOptionsOut, auth=AUTH)
def passkey_options(request: HttpRequest) -> dict[str, object]:
    options, challenge = services.passkey_registration_options(user=_me(request))
    request.session[PASSKEY_REGISTER_KEY] = bytes_to_base64url(challenge)
    return {"publicKey": options}


@router.post("/me/passkeys", response={201: schemas.PasskeyCreatedOut}, auth=AUTH)
def passkey_add(request: HttpRequest, payload: schemas.PasskeyIn) -> Status[object]:
    challenge = request.session.pop(PASSKEY_REGISTER_KEY, None)
    if not challenge:
        raise errors.PasskeyInvalid("Ask for registration options first (POST /me/passkeys/options).")
    passkey, codes = services.passkey_register(
        user=_me(request),
        credential=payload.credential,
        challenge=base64url_to_bytes(challenge),
        name=payload.name,
        ip=client_ip(request),
    )
    return Status(
        201,
        {
            "id": passkey.id,
            "name": passkey.name,
            "transports": passkey.transports,
            "created_at": passkey.created_at,
            "last_used_at": passkey.last_used_at,
            "recovery_codes": codes,
        },
    )


@router.delete("/me/passkeys/{passkey_id}", response={204: None}, auth=AUTH)
def passkey_remove(request: HttpRequest, passkey_id: str) -> Status[object]:
    services.passkey_delete(
        user=_me(request),
        passkey_id=passkey_id[:40],
        ip=client_ip(request),
        keep_session_id=current_session_id(request),
    )
    return Status(204, None)


# --- staff ---------------------------------------------------------------------------------


@router.get("/staff/users", response=list[schemas.StaffUserOut], auth=requires(Perm.USERS_READ), tags=["staff"])
def staff_users(request: HttpRequest, query: str = "", role: str = "", offset: int = 0) -> object:
    return selectors.user_list(query=query[:100], role=role[:20], offset=max(0, offset))


@router.get("/staff/users/{user_id}", response=schemas.StaffUserOut, auth=requires(Perm.USERS_READ), tags=["staff"])
def staff_user(request: HttpRequest, user_id: str) -> object:
    return selectors.access_user(_me(request), user_id, perm=Perm.USERS_READ)


@router.post(
    "/staff/users/{user_id}/unlock", response=schemas.StaffUserOut, auth=requires(Perm.USERS_UNLOCK), tags=["staff"]
)
def staff_user_unlock(request: HttpRequest, user_id: str) -> object:
    actor = _me(request)
    return services.user_unlock(actor=actor, user_id=user_id, ip=client_ip(request))


@router.post(
    "/staff/users/{user_id}/role", response=schemas.StaffUserOut, auth=requires(Perm.USERS_SET_ROLE), tags=["staff"]
)
def staff_user_role(request: HttpRequest, user_id: str, payload: schemas.RoleIn) -> object:
    actor = _me(request)
    return services.user_set_role(actor=actor, user_id=user_id, role=payload.role, ip=client_ip(request))


@router.get("/staff/audit", response=list[schemas.AuditEntryOut], auth=requires(Perm.AUDIT_READ), tags=["staff"])
def staff_audit(request: HttpRequest, after_seq: int = 0, limit: int = 100) -> object:
    return audit_entries(after_seq=max(0, after_seq), limit=min(max(1, limit), 500))
