from django.apps import AppConfig


class AdsConfig(AppConfig):
    name = "stagedoor.ads"
    label = "ads"
    verbose_name = "Advertising"

    def ready(self) -> None:
        from stagedoor.ads import console, privacy, tasks  # noqa: F401
