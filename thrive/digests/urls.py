"""Included at ``notifications/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.save, name="digest_settings"),
    path("preview/", views.preview, name="digest_preview"),
    path("unsubscribe/<str:token>/", views.unsubscribe_link, name="digest_unsubscribe"),
]
