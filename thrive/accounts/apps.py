from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "thrive.accounts"
    label = "accounts"
    verbose_name = "Team"

    def ready(self) -> None:
        # Transactional email (in core, which imports no app) signs with the business's name.
        from thrive.core.transactional_email import set_sender_name

        from .queries import business_name

        set_sender_name(business_name)
