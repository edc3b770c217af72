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
        # An order recorded, refunded or voided queues a refresh (one at a time), so the
        # scores and the dashboard see it.
        from thrive.commerce.hooks import on_orders_changed

        from .refresh import request_refresh

        on_orders_changed(request_refresh)
        register_figure_people()
        # Cross-sell rules are found again in recent orders after every refresh.
        from .basket_rules import refresh_basket_rules
        from .hooks import after_refresh

        after_refresh(refresh_basket_rules)
        # Someone who declines profiling loses their scores at once, not at the next refresh.
        from thrive.contacts.forgetting import on_decline

        from .models import CustomerScore

        on_decline(lambda person_id: CustomerScore.objects.filter(person_id=person_id).delete())
