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

        # Public pages and customer emails (core) show the business row's brand.
        from thrive.core.brand import set_business_source

        from .models import Business

        set_business_source(lambda: Business.objects.order_by("pk").first())
