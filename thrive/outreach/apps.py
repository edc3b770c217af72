from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "thrive.outreach"
    verbose_name = "Outreach"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from thrive.core.reschedule import register

        from .sending.scheduling import reschedule_pump

        register("outreach scheduled sends", reschedule_pump)

        # Logos in customer emails are absolute links on the public address.
        from thrive.core.brand import set_public_url

        from .conf import public_url

        set_public_url(public_url)

        # Segment rules on who opened, clicked or unsubscribed recently.
        from .segment_fields import register as register_segment_fields

        register_segment_fields()
