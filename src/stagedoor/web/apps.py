from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "stagedoor.web"
    label = "web"
    verbose_name = "Web"
