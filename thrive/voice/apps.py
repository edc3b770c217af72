from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "thrive.voice"
    verbose_name = "Customer voice"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: models load only once every app is registered.
        from thrive.analytics.hooks import add_kpi_source

        from .dashboard import voice_kpis

        add_kpi_source(voice_kpis)
