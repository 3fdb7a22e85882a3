"""Outbox topics payouts publishes, and the payload each one carries."""
