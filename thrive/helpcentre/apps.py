from django.apps import AppConfig


class HelpCentreConfig(AppConfig):
    name = "thrive.helpcentre"
    verbose_name = "Help centre"
    default_auto_field = "django.db.models.BigAutoField"
