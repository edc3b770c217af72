from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "thrive.commerce"
    label = "commerce"
    verbose_name = "Commerce"
