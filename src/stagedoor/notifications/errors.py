"""Errors of notifications: each a stable code, a status and a sentence for the person."""

from __future__ import annotations

from stagedoor.core.errors import NotFound, ValidationFailed


class InvalidTimezone(ValidationFailed):
    code = "notifications.invalid_timezone"
    default_message = "Choose a time zone from the list (for example Europe/Berlin)."


class InvalidQuietHours(ValidationFailed):
    code = "notifications.invalid_quiet_hours"
    default_message = "Quiet hours need both a start and an end, and they must differ."


class InvalidSubscription(ValidationFailed):
    code = "notifications.invalid_subscription"
    default_message = "This browser's push subscription is not valid."


class TooManyDevices(ValidationFailed):
    code = "notifications.too_many_devices"
    default_message = "You have too many devices signed up for notifications; remove one first."


class SubscriptionNotFound(NotFound):
    code = "notifications.subscription_not_found"
    default_message = "No such device."


class AlertNotFound(NotFound):
    code = "notifications.alert_not_found"
    default_message = "No such live alert."
