from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    name = "thrive.portability"
    verbose_name = "Export and backup"
    default_auto_field = "django.db.models.BigAutoField"
