from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "thrive.voice"
    verbose_name = "Customer voice"
    default_auto_field = "django.db.models.BigAutoField"
