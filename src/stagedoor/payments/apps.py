from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "stagedoor.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        # Register the payments jobs (sandbox postback delivery).
        from stagedoor.payments import tasks  # noqa: F401
