"""API schemas for accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class SignupIn(Schema):
    email: str = Field(max_length=254)
    login: str = Field(max_length=30)
    password: str = Field(max_length=256)
    display_name: str = Field(default="", max_length=60)


class LoginIn(Schema):
    login: str = Field(max_length=254)
    password: str = Field(max_length=256)
    otp: str = Field(default="", max_length=32)


class UserOut(Schema):
    id: str
    login: str
    display_name: str
    role: str
    mfa_enabled: bool
    date_joined: datetime


class StaffUserOut(UserOut):
    email: str
    is_active: bool
    locked_until: datetime | None
    failed_logins: int


class ProfileIn(Schema):
    display_name: str = Field(max_length=60)


class MfaSetupOut(Schema):
    secret: str
    otpauth_uri: str


class CodeIn(Schema):
    code: str = Field(max_length=32)


class RecoveryCodesOut(Schema):
    recovery_codes: list[str]


class TokenIn(Schema):
    name: str = Field(max_length=80)


class TokenOut(Schema):
    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class PasswordResetIn(Schema):
    email: str = Field(max_length=254)


class PasswordResetConfirmIn(Schema):
    uid: str = Field(max_length=64)
    token: str = Field(max_length=128)
    password: str = Field(max_length=256)


class ConsentIn(Schema):
    age_confirmed: bool
    terms_accepted: bool


class ConsentOut(Schema):
    id: str
    terms_version: str
    created_at: datetime


class RoleIn(Schema):
    role: str = Field(max_length=20)


class AuditEntryOut(Schema):
    seq: int
    created_at: datetime
    actor_id: str
    actor_label: str
    action: str
    target_type: str
    target_id: str
    data: dict[str, object]
    hash: str


class AuthMessageOut(Schema):
    code: str
    message: str


class SessionOut(Schema):
    id: str
    device: str
    place: str
    network: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


class PasswordChangeIn(Schema):
    current_password: str = Field(max_length=256)
    password: str = Field(max_length=256)


class SessionsEndedOut(Schema):
    code: str
    message: str
    sessions_ended: int


class PasskeyOut(Schema):
    id: str
    name: str
    transports: list[str]
    created_at: datetime
    last_used_at: datetime | None


class PasskeyCreatedOut(PasskeyOut):
    recovery_codes: list[str]


class PasskeyIn(Schema):
    name: str = Field(default="", max_length=60)
    credential: dict[str, Any]


class CredentialIn(Schema):
    credential: dict[str, Any]


class WebAuthnOptionsOut(Schema):
    publicKey: dict[str, Any]  # the browser's name for it
