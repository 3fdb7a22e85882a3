from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "stagedoor.rooms"
    label = "rooms"
    verbose_name = "Rooms"
