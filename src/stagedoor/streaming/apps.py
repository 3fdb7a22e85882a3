from django.apps import AppConfig


class StreamingConfig(AppConfig):
    name = "stagedoor.streaming"
    label = "streaming"
    verbose_name = "Streaming"

    def ready(self) -> None:
        from stagedoor.streaming import console, privacy  # noqa: F401  (staff console section)
