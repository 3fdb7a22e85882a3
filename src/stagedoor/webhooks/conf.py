"""Webhooks settings: `settings.STAGEDOOR.webhooks` (core/config/webhooks.py's `WebhooksConfig`, from the
environment), each overridable by a Django setting of the variable's own name (tests use pytest-django's
`settings`, e.g. `settings.STAGEDOOR_WEBHOOKS_ALLOWED_NETWORKS = "127.0.0.1/32"`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from stagedoor.core.config.webhooks import WEBHOOKS_VARS, WebhooksConfig


def current() -> WebhooksConfig:
    base: WebhooksConfig = settings.STAGEDOOR.webhooks
    values: dict[str, Any] = {}
    for name, var in WEBHOOKS_VARS.items():
        raw = getattr(settings, var.name, None)
        values[name] = var(raw) if raw is not None else getattr(base, name)
    return WebhooksConfig(**values)
