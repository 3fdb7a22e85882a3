"""Sign-up, and accounts created with a role (staff, the demo, the command line)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from stagedoor.accounts import events
from stagedoor.accounts.models import (
    User,
    login_validator,
)
from stagedoor.accounts.roles import Role
from stagedoor.accounts.selectors import email_taken
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.outbox import outbox_publish


def user_signup(*, email: str, login: str, password: str, display_name: str = "", ip: str = "") -> User:
    fields: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    login = (login or "").strip().lower()
    display_name = (display_name or "").strip()
    try:
        validate_email(email)
    except DjangoValidationError:
        fields["email"] = ["Enter a valid e-mail address."]
    try:
        login_validator(login)
    except DjangoValidationError as exc:
        fields["login"] = list(exc.messages)
    if len(display_name) > 60:
        fields["display_name"] = ["Use at most 60 characters."]
    if not fields.get("login") and User.objects.filter(login=login).exists():
        fields["login"] = ["That login is taken."]
    if not fields.get("email") and email_taken(email):
        fields["email"] = ["An account with that e-mail already exists."]
    try:
        validate_password(password or "", User(login=login, email=email, display_name=display_name))
    except DjangoValidationError as exc:
        fields["password"] = list(exc.messages)
    if fields:
        raise ValidationFailed(extra={"fields": fields})
    try:
        with transaction.atomic():
            user = User.objects.create_user(login, email, password, display_name=display_name)
            audit_record(actor=user, action="account.signup", target=user, ip=ip)
            outbox_publish(topic=events.ACCOUNT_CREATED, payload={"user_id": user.id})
    except IntegrityError:
        raise ValidationFailed(extra={"fields": {"login": ["That login or e-mail is taken."]}}) from None
    return user


def user_create(*, login: str, email: str, password: str, role: str, display_name: str = "", actor: Any = None) -> User:
    """Create an account with a given role (createstaff, demo data). Audited."""
    if role not in Role.values:
        raise ValidationFailed(extra={"fields": {"role": [f"Unknown role {role!r}."]}})
    with transaction.atomic():
        user = User.objects.create_user(login, email, password, role=role, display_name=display_name)
        audit_record(actor=actor or "cli", action="account.created_with_role", target=user, data={"role": role})
    return user
