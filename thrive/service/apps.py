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
