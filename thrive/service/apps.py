from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "thrive.service"
    verbose_name = "Shared inbox"
    default_auto_field = "django.db.models.BigAutoField"
