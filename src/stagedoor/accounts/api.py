"""Accounts API: sign-up, login, two-factor, tokens, consent, staff tools (performer applications: verification)."""

from __future__ import annotations

from django.contrib.auth import logout as django_logout
from django.http import HttpRequest
from ninja import Router, Status

from stagedoor.accounts import errors, schemas, selectors, services
from stagedoor.accounts.auth import AUTH, optional_user, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.sessions import CONSENT_KEY, session_login
from stagedoor.core.audit import audit_entries
from stagedoor.core.errors import NotAuthenticated
from stagedoor.core.middleware import client_ip

router = Router(tags=["accounts"])


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
            raise errors.InvalidOtp("This account needs a two-factor code in `otp`.", extra={"otp_required": True})
        method = services.mfa_verify(user=user, code=payload.otp, ip=ip)
    session_login(request, user, method=method)
    return user


@router.post("/auth/password-reset", response={202: schemas.MessageOut}, auth=None)
def password_reset(request: HttpRequest, payload: schemas.PasswordResetIn) -> Status[object]:
    services.password_reset_request(email=payload.email, ip=client_ip(request))
    return Status(
        202, {"code": "auth.password_reset_sent", "message": "If that address has an account, a link is on its way."}
    )


@router.post("/auth/password-reset/confirm", response=schemas.MessageOut, auth=None)
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


# --- signed in -----------------------------------------------------------------------------


@router.post("/auth/logout", response={204: None}, auth=AUTH)
def logout(request: HttpRequest) -> Status[object]:
    django_logout(request)
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
    services.mfa_disable(user=_me(request), code=payload.code, ip=client_ip(request))
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
