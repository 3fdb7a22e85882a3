"""Outbox handlers of moderation (registered from apps.ready)."""
