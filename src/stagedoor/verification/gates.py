"""Gate checks of verification (registered from apps.ready)."""
