from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "stagedoor.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from stagedoor.accounts import console  # noqa: F401  (staff console sections)
