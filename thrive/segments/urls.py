"""Segment pages, included at ``segments/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.segment_list, name="segments"),
    path("new/", views.segment_new, name="segment_new"),
    path("preview", views.segment_preview, name="segment_preview"),
    path("<int:pk>/", views.segment_detail, name="segment"),
    path("<int:pk>/count", views.segment_count, name="segment_count"),
    path("<int:pk>/edit/", views.segment_edit, name="segment_edit"),
    path("<int:pk>/delete/", views.segment_delete, name="segment_delete"),
]
