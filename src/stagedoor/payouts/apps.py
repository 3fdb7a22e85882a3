from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "stagedoor.payouts"
    label = "payouts"
    verbose_name = "Payouts, KYC/AML and commission"

    def ready(self) -> None:
        from stagedoor.payouts import console, handlers  # noqa: F401
