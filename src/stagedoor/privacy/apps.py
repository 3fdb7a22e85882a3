from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "stagedoor.privacy"
    label = "privacy"
    verbose_name = "Data-subject requests, retention and legal holds"

    def ready(self) -> None:
        # core's own exporter and eraser (the audit trail, the outbox) are wired here, not in core's AppConfig
        from stagedoor.core import privacy as core_privacy  # noqa: F401
        from stagedoor.privacy import console, privacy, tasks  # noqa: F401
