"""Outbox handlers of analytics (registered from apps.ready)."""
