from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "thrive.webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from thrive.core.reschedule import register

        from .tasks import reschedule_tick

        register("webhook tick", reschedule_tick)
