from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "stagedoor.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Register the core jobs (outbox dispatch) with the job registry.
        from stagedoor.core import outbox  # noqa: F401

        post_migrate.connect(_record_active_key, sender=self)


def _record_active_key(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After `migrate`: the active encryption key id is in use from now on (`core.keys`)."""
    from django.db import connections

    from stagedoor.core.keys import record_active_key

    if using == "default" and "core_encryptionkeyinuse" in connections[using].introspection.table_names():
        record_active_key()
