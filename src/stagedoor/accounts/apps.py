from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "stagedoor.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        import stagedoor.accounts.handlers  # noqa: F401  (outbox handlers)
        from stagedoor.accounts import console, privacy  # noqa: F401  (staff console sections)
