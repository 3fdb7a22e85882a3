"""Outbox handlers of verification (registered from apps.ready)."""
