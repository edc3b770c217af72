from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "thrive.digests"
    verbose_name = "Digests and urgent emails"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from thrive.automations.steps import on_notify
        from thrive.core.reschedule import register

        from . import urgent
        from .tasks import reschedule_tick

        register("daily digests", reschedule_tick)
        urgent.connect()
        on_notify(urgent.workflow_notified)
