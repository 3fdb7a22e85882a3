"""Who may call each notifications endpoint. Read by accounts/tests/test_permission_grid.py."""

GRID: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/notifications/vapid-key"): "anon",
    ("GET", "/api/v1/notifications/schedule"): "anon",
    # one's own preferences and devices: anyone signed in
    ("GET", "/api/v1/notifications/preferences"): "auth",
    ("PUT", "/api/v1/notifications/preferences"): "auth",
    ("GET", "/api/v1/notifications/devices"): "auth",
    ("POST", "/api/v1/notifications/devices"): "auth",
    ("POST", "/api/v1/notifications/devices/unsubscribe"): "auth",
    ("DELETE", "/api/v1/notifications/devices/{device_id}"): "auth",
}
