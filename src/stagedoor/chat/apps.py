from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "stagedoor.chat"
    label = "chat"
    verbose_name = "Chat"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the outbox handlers and the jobs (Celery workers run them by name).
        from stagedoor.chat import handlers, presence_rollup, privacy  # noqa: F401
