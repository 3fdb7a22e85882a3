from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "stagedoor.analytics"
    label = "analytics"
    verbose_name = "Dashboards and roll-ups"

    def ready(self) -> None:
        from stagedoor.analytics import console, handlers, privacy, tasks  # noqa: F401
