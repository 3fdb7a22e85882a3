"""Outbox handlers of shows (registered from apps.ready)."""
