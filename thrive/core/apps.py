from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "thrive.core"
    label = "core"
    verbose_name = "Thrive core"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)
