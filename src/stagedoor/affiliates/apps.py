from django.apps import AppConfig


class AffiliatesConfig(AppConfig):
    name = "stagedoor.affiliates"
    label = "affiliates"
    verbose_name = "Affiliates and referrals"

    def ready(self) -> None:
        from stagedoor.affiliates import console, handlers, privacy, tasks  # noqa: F401
