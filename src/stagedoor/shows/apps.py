from django.apps import AppConfig


class ShowsConfig(AppConfig):
    name = "stagedoor.shows"
    label = "shows"
    verbose_name = "Shows and real-time media"

    def ready(self) -> None:
        # Outbox handlers, staff console sections and the page hooks register on import.
        from stagedoor.shows import console, handlers, privacy, tasks  # noqa: F401
