from django.apps import AppConfig


class AutomationsConfig(AppConfig):
    name = "thrive.automations"
    label = "automations"
    verbose_name = "Automations"
