from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "stagedoor.support"
    label = "support"
    verbose_name = "Support desk"

    def ready(self) -> None:
        from stagedoor.support import console, handlers, privacy, providers, tasks  # noqa: F401

        providers.install()
