from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "thrive.commerce"
    label = "commerce"
    verbose_name = "Commerce"

    def ready(self) -> None:
        # Imported here: models load only once every app is registered.
        from .segment_fields import register

        register()
