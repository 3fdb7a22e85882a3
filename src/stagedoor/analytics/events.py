"""Outbox topics analytics publishes, and the payload each one carries."""
