from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "stagedoor.moderation"
    label = "moderation"
    verbose_name = "Trust & safety"

    def ready(self) -> None:
        # Outbox handlers (chat holds, reports), staff console sections, and the hooks into
        # chat (the classifier) and streaming (frame samples).
        from stagedoor.moderation import console, handlers  # noqa: F401
