"""Errors of analytics: each a stable code, a status and a sentence for the person."""
