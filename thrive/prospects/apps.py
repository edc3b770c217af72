from django.apps import AppConfig


class ProspectsConfig(AppConfig):
    name = "thrive.prospects"
    verbose_name = "Reaching the right people"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: models load only once every app is registered.
        from thrive.analytics.hooks import after_refresh

        from .refresh import request_refresh
        from .segment_fields import register

        register()
        # The ideal-client profile and lead scores read the scores: recompute them (in a
        # job of their own) after each refresh.
        after_refresh(request_refresh)
        # Someone who declines profiling loses their lead score at once.
        from thrive.contacts.forgetting import on_decline

        from .models import LeadScore

        on_decline(lambda person_id: LeadScore.objects.filter(person_id=person_id).delete())
