"""The staff page of strategy sessions, included at ``sessions/``."""

from django.urls import path

from .views import staff

urlpatterns = [
    path("", staff.sessions, name="sessions"),
    path("hours", staff.save_hours, name="sessions_hours"),
    path("types", staff.add_type, name="sessions_types"),
    path("types/<int:pk>", staff.edit_type, name="sessions_type_edit"),
    path("<int:pk>/cancel", staff.cancel, name="sessions_cancel"),
    path("calendars", staff.connect_calendar, name="sessions_calendars"),
    path("calendars/<int:pk>/refresh", staff.refresh_calendar, name="sessions_calendar_refresh"),
    path("calendars/<int:pk>/remove", staff.remove_calendar, name="sessions_calendar_remove"),
    path("dates", staff.save_dates, name="sessions_dates"),
    path("dates/<int:pk>/clear", staff.clear_date, name="sessions_date_clear"),
    path("questions", staff.add_question, name="sessions_questions"),
    path("questions/<int:pk>/remove", staff.remove_question, name="sessions_question_remove"),
]
