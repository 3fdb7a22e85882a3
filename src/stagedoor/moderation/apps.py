from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "stagedoor.moderation"
    label = "moderation"
    verbose_name = "Trust & safety"

    def ready(self) -> None:
        # Outbox handlers (chat holds, reports), staff console sections, and the hooks into
        # chat (the classifier) and streaming (frame samples).
        from django.conf import settings

        from stagedoor.moderation import console, handlers, hooks, privacy  # noqa: F401

        # The frame scanner the ingest hands samples to, and the publish gate (suspensions, streams under review).
        hooks.install(settings.STAGEDOOR.frames)

        # Live chat classifies every line with the text moderator (rules + model; loaded on first use).
        self._install_chat_classifier()

    def _install_chat_classifier(self) -> None:
        from django.conf import settings

        from stagedoor.moderation.text.classifier import install_chat_classifier

        cfg = settings.STAGEDOOR.moderation
        install_chat_classifier(model_path=cfg.text_model, policy=cfg.text_policy)
