"""notifications' part of data-subject requests (core.privacy_registry).

Export: the person's preferences, their push devices (the endpoint is theirs; the keys are secrets of their browser
and are left out) and the go-live notifications they were sent. Erasure deletes all of it: nothing here is a record
the platform must keep.
"""

from __future__ import annotations

from typing import Any

from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    register_eraser,
    register_exporter,
    rows,
)
from stagedoor.notifications.models import Notification, Preference, PushSubscription


def export_notifications(user: Any) -> ExportData:
    return {
        "notification_preferences": rows(
            Preference.objects.filter(user=user),
            ["push_enabled", "email_enabled", "quiet_start", "quiet_end", "timezone", "updated_at"],
        ),
        "push_devices": rows(
            PushSubscription.objects.filter(user=user).order_by("created_at"),
            ["id", "endpoint", "user_agent", "created_at", "last_success_at"],
        ),
        "go_live_notifications": [
            {
                "id": n.pk,
                "room_id": n.alert.room_id,
                "went_live_at": n.alert.started_at.isoformat(),
                "status": n.status,
                "pushed": n.pushed,
                "emailed": n.emailed,
                "sent_at": n.sent_at.isoformat() if n.sent_at else None,
            }
            for n in Notification.objects.filter(user=user).select_related("alert").order_by("id")
        ],
    }


def erase_notifications(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    result.changed += PushSubscription.objects.filter(user=ctx.user).delete()[0]
    result.changed += Preference.objects.filter(user=ctx.user).delete()[0]
    result.changed += Notification.objects.filter(user=ctx.user).delete()[0]
    return result


register_exporter("notifications", export_notifications)
register_eraser("notifications", erase_notifications)
