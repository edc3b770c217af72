from django.apps import AppConfig


class AutomationsConfig(AppConfig):
    name = "thrive.automations"
    label = "automations"
    verbose_name = "Automations and tasks"

    def ready(self) -> None:
        from thrive.core.reschedule import register

        from .tasks import reschedule_tick

        register("automation engine tick", reschedule_tick)
