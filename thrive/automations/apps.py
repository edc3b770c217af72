from django.apps import AppConfig


class AutomationsConfig(AppConfig):
    name = "thrive.automations"
    label = "automations"
    verbose_name = "Automations"

    def ready(self) -> None:
        # Imported here: models load only once every app is registered.
        from thrive.analytics.hooks import add_kpi_source
        from thrive.core.reschedule import register
        from thrive.voice.queries import register_survey_workflows

        from .dashboard import automation_kpis
        from .queries import workflows_sending_surveys
        from .tasks import reschedule_tick

        register_survey_workflows(workflows_sending_surveys)
        register("automation engine tick", reschedule_tick)
        add_kpi_source(automation_kpis)
