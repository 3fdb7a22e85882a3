from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "stagedoor.community"
    label = "community"
    verbose_name = "Events, contests, badges and levels"

    def ready(self) -> None:
        from stagedoor.community import console, handlers, hooks, privacy, tasks  # noqa: F401

        hooks.install()
