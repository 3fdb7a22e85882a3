from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "stagedoor.verification"
    label = "verification"
    verbose_name = "Identity and age verification"

    def ready(self) -> None:
        # Outbox handlers, staff console sections, and the gates (publish, payee, adult content).
        from stagedoor.verification import console, gates, handlers, privacy  # noqa: F401
