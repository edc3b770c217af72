"""Strategy sessions in the admin. Bookings are read-only there: the services keep the
timeline, the invites and the no-double-booking rule whole."""

from __future__ import annotations

from django.contrib import admin

from thrive.core.admin import ReadOnlyAdmin

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
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["start_at", "associate", "person", "session_type", "status", "sequence"]
    list_filter = ["status", "associate"]
    search_fields = ["person__email", "uid"]
    list_select_related = ["associate", "person", "session_type"]
