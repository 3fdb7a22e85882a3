from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "stagedoor.accounts"
    label = "accounts"
    verbose_name = "Accounts"
