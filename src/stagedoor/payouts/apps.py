from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "stagedoor.payouts"
    label = "payouts"
    verbose_name = "Payouts, KYC/AML and commission"

    def ready(self) -> None:
        # Outbox handlers, staff console sections, and the PAYEE gate check (a confirmed sanctions match).
        from stagedoor.payouts import console, handlers, hooks, privacy, tasks  # noqa: F401
