from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "thrive.bookings"
    verbose_name = "Strategy sessions"
    default_auto_field = "django.db.models.BigAutoField"
