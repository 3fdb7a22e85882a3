"""Services of notifications, re-exported: preferences, push devices, live alerts (fan-out), delivery."""

from stagedoor.notifications.services.alerts import (
    FanOut,
    alert_close,
    alert_open,
    alert_staff_stop,
    vapid_key_ensure,
)
from stagedoor.notifications.services.delivery import (
    Tally,
    notifications_deliver_ids,
    notifications_deliver_range,
    notifications_sweep,
)
from stagedoor.notifications.services.devices import (
    device_remove,
    device_subscribe,
    device_unsubscribe,
    devices_staff_remove,
)
from stagedoor.notifications.services.preferences import preference_set, timezones

__all__ = [
    "FanOut",
    "Tally",
    "alert_close",
    "alert_open",
    "alert_staff_stop",
    "device_remove",
    "device_subscribe",
    "device_unsubscribe",
    "devices_staff_remove",
    "notifications_deliver_ids",
    "notifications_deliver_range",
    "notifications_sweep",
    "preference_set",
    "timezones",
    "vapid_key_ensure",
]
