from django.apps import AppConfig


class GrowthConfig(AppConfig):
    name = "thrive.growth"
    verbose_name = "Growth planning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: models load only once every app is registered.
        from thrive.analytics.hooks import after_refresh
        from thrive.contacts.queries import register_metric_people

        from .journey_queries import register_stalled_people
        from .journey_services import refresh_journey_map
        from .services import sync_live_check_ins

        # Live goals read the scores: check them in as soon as a refresh finishes.
        after_refresh(sync_live_check_ins)
        # The journey map is found again whenever the dashboard is (in the background).
        after_refresh(refresh_journey_map)
        # The journey map's "stalled here" links open the people list on them.
        register_stalled_people(register_metric_people)
