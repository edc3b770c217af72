"""Strategy sessions in the admin. Bookings are read-only there: the services keep the
timeline, the invites and the no-double-booking rule whole."""

from __future__ import annotations

from django.contrib import admin

from thrive.core.admin import ReadOnlyAdmin

from .models import (
    Availability,
    Booking,
    BusyTime,
    CalendarConnection,
    DateOverride,
    IntakeQuestion,
    SessionType,
)


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


@admin.register(CalendarConnection)
class CalendarConnectionAdmin(ReadOnlyAdmin):
    # Read-only and without the sealed password: connect and remove on the sessions page.
    list_display = ["associate", "name", "kind", "last_success_at", "busy_count", "last_error"]
    exclude = ["password_sealed"]
    list_select_related = ["associate"]


@admin.register(DateOverride)
class DateOverrideAdmin(admin.ModelAdmin):
    list_display = ["associate", "day", "start_time", "end_time", "note"]
    list_filter = ["associate"]


@admin.register(IntakeQuestion)
class IntakeQuestionAdmin(admin.ModelAdmin):
    list_display = ["session_type", "position", "label", "kind", "required"]
    list_filter = ["session_type"]


@admin.register(BusyTime)
class BusyTimeAdmin(ReadOnlyAdmin):
    """The busy times the worker last read from associates' calendars (a cache)."""

    list_display = ["associate", "start_at", "end_at", "connection"]
    list_filter = ["associate"]
    list_select_related = ["associate", "connection"]
