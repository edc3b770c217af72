"""The staff page of strategy sessions, included at ``sessions/``."""

from django.urls import path

from .views import staff

urlpatterns = [
    path("", staff.sessions, name="sessions"),
    path("hours", staff.save_hours, name="sessions_hours"),
    path("types", staff.add_type, name="sessions_types"),
    path("<int:pk>/cancel", staff.cancel, name="sessions_cancel"),
]
