"""Strategy sessions in the admin. Bookings are read-only there: the services keep the
timeline, the invites and the no-double-booking rule whole."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Availability, Booking, SessionType


@admin.register(SessionType)
class SessionTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "minutes", "buffer_before_minutes", "buffer_after_minutes",
                    "min_notice_hours", "max_days_ahead", "active"]  # fmt: skip
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Availability)
class AvailabilityAdmin(admin.ModelAdmin):
    list_display = ["associate", "weekday", "start_time", "end_time"]
    list_filter = ["associate"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["start_at", "associate", "person", "session_type", "status", "sequence"]
    list_filter = ["status", "associate"]
    search_fields = ["person__email", "uid"]
    list_select_related = ["associate", "person", "session_type"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
