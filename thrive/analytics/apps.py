from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "thrive.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        # Imported here: models load only once every app is registered.
        from thrive.core import warmup

        from .figures import register as register_figure_people
        from .segment_fields import register as register_segment_fields
        from .warmup import warm_dashboard

        warmup.register(warm_dashboard)
        register_segment_fields()
        register_figure_people()
