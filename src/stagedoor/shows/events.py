"""Outbox topics shows publishes, and the payload each one carries."""
