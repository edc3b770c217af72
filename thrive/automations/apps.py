from django.apps import AppConfig


class AutomationsConfig(AppConfig):
    name = "thrive.automations"
    label = "automations"
    verbose_name = "Automations"

    def ready(self) -> None:
        # Imported here: models load only once every app is registered.
        from thrive.voice.queries import register_survey_workflows

        from .queries import workflows_sending_surveys

        register_survey_workflows(workflows_sending_surveys)
