from django.apps import AppConfig


class GrowthConfig(AppConfig):
    name = "thrive.growth"
    verbose_name = "Growth planning"
    default_auto_field = "django.db.models.BigAutoField"
