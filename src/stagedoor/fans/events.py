"""Outbox topics fans publishes, and the payload each one carries."""
