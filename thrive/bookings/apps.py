from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "thrive.bookings"
    verbose_name = "Strategy sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from thrive.core.reschedule import register

        from .calendar_services import reschedule_refreshes
        from .services import reschedule_jobs

        register("booking reminders and follow-ups", reschedule_jobs)
        register("calendar busy-time refreshes", reschedule_refreshes)
