from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "stagedoor.wallet"
    label = "wallet"
    verbose_name = "Wallet and ledger"

    def ready(self) -> None:
        # Register the wallet's jobs and outbox handlers.
        from stagedoor.wallet import console, handlers, privacy, tasks  # noqa: F401  (and the staff console sections)
