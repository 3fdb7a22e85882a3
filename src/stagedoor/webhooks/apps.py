from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "stagedoor.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from stagedoor.webhooks import console, handlers, privacy, tasks  # noqa: F401
