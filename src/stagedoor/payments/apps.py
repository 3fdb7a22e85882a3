from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "stagedoor.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        # Register the outbox handlers (sandbox postback delivery).
        from stagedoor.payments import console, handlers, privacy  # noqa: F401  (and the staff console sections)
