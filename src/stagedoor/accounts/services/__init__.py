"""Every write to accounts, one module per concern; import from here (`from stagedoor.accounts import services`)."""

from __future__ import annotations

from stagedoor.accounts.services.api_tokens import api_token_authenticate, api_token_create, api_token_revoke
from stagedoor.accounts.services.consent import entry_consent_adopt, entry_consent_record
from stagedoor.accounts.services.hashing import ip_hash, sha256_hex
from stagedoor.accounts.services.login import sliding_window_count, user_authenticate, user_login_succeeded, user_unlock
from stagedoor.accounts.services.mfa import (
    MfaSetup,
    mfa_disable,
    mfa_setup_begin,
    mfa_setup_confirm,
    mfa_verify,
    recovery_codes_regenerate,
)
from stagedoor.accounts.services.passkeys import (
    passkey_authentication_options,
    passkey_delete,
    passkey_register,
    passkey_registration_options,
    passkey_verify,
)
from stagedoor.accounts.services.password_reset import (
    password_reset_confirm,
    password_reset_request,
    password_reset_user,
)
from stagedoor.accounts.services.signup import user_create, user_signup
from stagedoor.accounts.services.user_sessions import (
    user_password_change,
    user_session_end,
    user_session_revoke,
    user_session_start,
    user_session_touch,
    user_sessions_end_others,
)
from stagedoor.accounts.services.users import (
    user_lock_purchases,
    user_make_performer,
    user_reset_credentials,
    user_set_role,
    user_update_profile,
)

__all__ = [
    "MfaSetup",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "entry_consent_adopt",
    "entry_consent_record",
    "ip_hash",
    "mfa_disable",
    "mfa_setup_begin",
    "mfa_setup_confirm",
    "mfa_verify",
    "passkey_authentication_options",
    "passkey_delete",
    "passkey_register",
    "passkey_registration_options",
    "passkey_verify",
    "password_reset_confirm",
    "password_reset_request",
    "password_reset_user",
    "recovery_codes_regenerate",
    "sha256_hex",
    "sliding_window_count",
    "user_authenticate",
    "user_create",
    "user_lock_purchases",
    "user_login_succeeded",
    "user_make_performer",
    "user_password_change",
    "user_reset_credentials",
    "user_session_end",
    "user_session_revoke",
    "user_session_start",
    "user_session_touch",
    "user_sessions_end_others",
    "user_set_role",
    "user_signup",
    "user_unlock",
    "user_update_profile",
]
