from django.apps import AppConfig


class LeadformsConfig(AppConfig):
    name = "thrive.leadforms"
    verbose_name = "Lead-capture forms"
    default_auto_field = "django.db.models.BigAutoField"
