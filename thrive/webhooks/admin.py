from django.contrib import admin

from .models import WebhookCursor, WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "active", "created_at"]
    search_fields = ["url", "description"]
    exclude = ["encrypted_secret"]  # shown once when subscribing, never again


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log; replay is on the Webhooks page."""

    list_display = ["event_id", "event_type", "subscription", "status", "attempts", "next_try_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["event_id", "subscription__url"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(WebhookCursor)
class WebhookCursorAdmin(admin.ModelAdmin):
    """How far the sender has read the activity log."""

    list_display = ["name", "last_activity_id", "tick_due_at", "updated_at"]
