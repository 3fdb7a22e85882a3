from django.apps import AppConfig


class FansConfig(AppConfig):
    name = "stagedoor.fans"
    label = "fans"
    verbose_name = "Fan clubs and private messages"

    def ready(self) -> None:
        from stagedoor.fans import console, handlers, hooks, privacy, tasks  # noqa: F401

        hooks.install()
