from django.apps import AppConfig


class ProspectsConfig(AppConfig):
    name = "thrive.prospects"
    verbose_name = "Reaching the right people"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: models load only once every app is registered.
        from .segment_fields import register

        register()
