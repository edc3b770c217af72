from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "thrive.outreach"
    verbose_name = "Outreach"
    default_auto_field = "django.db.models.BigAutoField"
