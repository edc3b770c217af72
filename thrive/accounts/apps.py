from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "thrive.accounts"
    label = "accounts"
    verbose_name = "Team"

    def ready(self) -> None:
        # thrive.core.business (core imports no app) answers the business's zone, currency,
        # public address and sender from the environment, then this app's Business row.
        from django.core.signals import request_started
        from django.db.models.signals import post_delete, post_save

        from thrive.core import business

        from .models import Business
        from .queries import stored_settings

        business.set_stored_settings(stored_settings)
        # One read of the row per request at most; a save is seen at once in this process.
        request_started.connect(business.clear_cache, dispatch_uid="business-settings-request")
        post_save.connect(business.clear_cache, sender=Business, dispatch_uid="business-saved")
        post_delete.connect(business.clear_cache, sender=Business, dispatch_uid="business-gone")

        # Public pages and customer emails (core) show the business row's brand.
        from thrive.core.brand import set_business_source

        set_business_source(lambda: Business.objects.order_by("pk").first())
