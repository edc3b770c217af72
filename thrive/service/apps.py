from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "thrive.service"
    verbose_name = "Shared inbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: models load only once every app is registered.
        from thrive.analytics.hooks import add_kpi_source

        from .dashboard import service_kpis

        add_kpi_source(service_kpis)
        # What customers write to the inbox joins NPS comments and ideas on the themes page.
        from thrive.voice.themes_sources import register_theme_source

        from .themes import customer_emails

        register_theme_source("conversation", "Support emails", customer_emails)
