from django.apps import AppConfig


class ProspectsConfig(AppConfig):
    name = "thrive.prospects"
    verbose_name = "Reaching the right people"
    default_auto_field = "django.db.models.BigAutoField"
