from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "stagedoor.wallet"
    label = "wallet"
    verbose_name = "Wallet and ledger"

    def ready(self) -> None:
        # Register the wallet's jobs and outbox consumers.
        from stagedoor.wallet import tasks  # noqa: F401
