"""Outbox handlers of fans (registered from apps.ready)."""
