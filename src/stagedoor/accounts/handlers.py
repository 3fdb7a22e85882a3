"""Outbox handlers of accounts: the new-device sign-in notice by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from stagedoor.accounts.events import NEW_DEVICE_SIGNIN, NewDeviceSignIn
from stagedoor.accounts.models import User, UserSession
from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler


@outbox_handler(NEW_DEVICE_SIGNIN, name="accounts.new_device_notice")
def new_device_notice(event: OutboxEvent, payload: NewDeviceSignIn) -> None:
    user = User.objects.filter(pk=payload["user_id"]).first()
    record = UserSession.objects.filter(pk=payload["session_id"]).first()
    if user is None or record is None or not user.email:
        return
    where = ", ".join(p for p in (record.place, record.network) if p) or "an unknown place"
    send_mail(
        "New sign-in to your Stagedoor account",
        f"Hello {user.shown_name},\n\nYour account was just signed in from a device we have not seen before:\n\n"
        f"  {record.device}, from {where}, at {record.created_at:%Y-%m-%d %H:%M} UTC\n\n"
        "If this was you, there is nothing to do. If it was not, sign that session out and change your password "
        f"at {settings.STAGEDOOR.base_url}/account/security\n",
        None,
        [user.email],
    )
