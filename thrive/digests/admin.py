"""Associates' email notifications in the records admin: their choices and what was sent."""

from __future__ import annotations

from django.contrib import admin

from thrive.core.admin import ReadOnlyAdmin

from .models import DigestCursor, DigestRun, NotificationSettings, UrgentEmail


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["associate", "daily_digest", "digest_hour", "updated_at"]
    list_select_related = ["associate"]


@admin.register(DigestRun)
class DigestRunAdmin(ReadOnlyAdmin):
    list_display = ["day", "associate", "status", "sent_at", "subject"]
    list_filter = ["status"]
    search_fields = ["subject", "associate__username"]
    list_select_related = ["associate"]


@admin.register(UrgentEmail)
class UrgentEmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "associate", "kind", "subject"]
    list_filter = ["kind"]
    search_fields = ["subject", "key"]
    list_select_related = ["associate"]


@admin.register(DigestCursor)
class DigestCursorAdmin(ReadOnlyAdmin):
    list_display = ["tick_due_at"]
