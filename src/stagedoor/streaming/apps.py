from django.apps import AppConfig


class StreamingConfig(AppConfig):
    name = "stagedoor.streaming"
    label = "streaming"
    verbose_name = "Streaming"
