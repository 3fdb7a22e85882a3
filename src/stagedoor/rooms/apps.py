from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "stagedoor.rooms"
    label = "rooms"
    verbose_name = "Rooms"

    def ready(self) -> None:
        from stagedoor.rooms import privacy  # noqa: F401  (data-subject requests: core.privacy_registry)
