"""Users, their second factors, API tokens and entry consent (performer applications: `verification`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models

from stagedoor.accounts.roles import MFA_REQUIRED_ROLES, STAFF_ROLES, Role
from stagedoor.core.fields import EncryptedEmailField, EncryptedTextField, IdField, KeyedHashField, with_keyed_hashes

login_validator = RegexValidator(
    r"^[a-z0-9_]{3,30}$", "Use 3–30 lower-case letters, digits or underscores.", code="invalid_login"
)


class UserManager(BaseUserManager["User"]):
    def create_user(self, login: str, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(login=login.lower(), email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, login: str, email: str, password: str | None = None, **extra: Any) -> User:
        extra["role"] = Role.ADMIN
        return self.create_user(login, email, password, **extra)


class User(AbstractBaseUser):
    id = IdField(primary_key=True)
    email = EncryptedEmailField(max_length=254)  # encrypted at rest; look up by `email_hash` (selectors.user_by_email)
    email_hash = KeyedHashField(source="email", kind="email", unique=True)
    login = models.CharField(max_length=30, unique=True, validators=[login_validator])
    display_name = models.CharField(max_length=60, blank=True, default="")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER, db_index=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)

    mfa_enabled = models.BooleanField(default=False)
    totp_secret = EncryptedTextField(blank=True, default="")
    totp_last_step = models.BigIntegerField(default=0)

    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    purchases_locked = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "login"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    def __str__(self) -> str:
        return self.login

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["update_fields"] = with_keyed_hashes(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def is_staff(self) -> bool:
        """Django admin access: administrators only (other staff use the staff console)."""
        return self.role == Role.ADMIN

    @property
    def is_superuser(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_platform_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def mfa_required(self) -> bool:
        return self.role in MFA_REQUIRED_ROLES

    @property
    def passkey_required(self) -> bool:
        """The operator requires passkeys of this role (`STAGEDOOR_PASSKEY_REQUIRED_ROLES`)."""
        return self.role in getattr(settings, "STAGEDOOR_PASSKEY_REQUIRED_ROLES", ())

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_active and self.role == Role.ADMIN

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and self.role == Role.ADMIN

    @property
    def shown_name(self) -> str:
        return self.display_name or self.login


class RecoveryCode(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


class ApiToken(models.Model):
    """A personal API token: `sd_<prefix>_<secret>`; only its SHA-256 is stored."""

    id = IdField(primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (sd_{self.prefix}_…)"


class EntryConsent(models.Model):
    """A visitor confirmed their age and accepted the terms (the entry interstitial)."""

    id = IdField(primary_key=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="consents")
    session_key = models.CharField(max_length=64, blank=True, default="")
    terms_version = models.CharField(max_length=20)
    age_confirmed = models.BooleanField()
    ip_hash = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"consent {self.terms_version} {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """A signed-in browser session as the user sees it on their security page (the Django session holds `id`).

    The session key itself is never stored here: revoking marks `ended_at`, and the session middleware signs out
    a request whose record has ended, on every node. `place` is a country code and `network` the IP address
    truncated to its /24 (IPv4) or /48 (IPv6), never the full address.
    """

    id = IdField(primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="user_sessions")
    device = models.CharField(max_length=80)
    device_hash = models.CharField(max_length=64, db_index=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    place = models.CharField(max_length=8, blank=True, default="")
    network = models.CharField(max_length=64, blank=True, default="")
    method = models.CharField(max_length=20, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at"], name="usersession_user_open")]

    def __str__(self) -> str:
        return f"{self.device} ({self.user_id})"


class Passkey(models.Model):
    """A WebAuthn credential (a passkey or security key) used as a second factor. Public data only: the private
    key never leaves the authenticator; `sign_count` catches a cloned one."""

    id = IdField(primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(max_length=60)
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url
    public_key = models.TextField()  # base64url COSE key
    sign_count = models.BigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"passkey {self.name} of {self.user_id}"
