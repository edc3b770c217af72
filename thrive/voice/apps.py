from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "thrive.voice"
    verbose_name = "Customer voice"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: models load only once every app is registered.
        from thrive.analytics.hooks import add_kpi_source
        from thrive.contacts.queries import register_metric_people

        from .dashboard import nps_respondents, voice_kpis

        add_kpi_source(voice_kpis)
        register_metric_people("nps_respondents", "people who answered a survey", nps_respondents)
