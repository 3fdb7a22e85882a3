"""Outbox handlers of payouts (registered from apps.ready)."""
