from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "stagedoor.notifications"
    label = "notifications"
    verbose_name = "Go-live notifications"

    def ready(self) -> None:
        from stagedoor.notifications import console, handlers, privacy, tasks  # noqa: F401
