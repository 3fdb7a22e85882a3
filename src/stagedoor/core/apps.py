from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stagedoor.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Register the core jobs (outbox dispatch) with the job registry.
        from stagedoor.core import outbox  # noqa: F401
