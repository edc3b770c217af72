"""Workflow pages, included at ``automations/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.workflow_list, name="workflows"),
    path("new/", views.workflow_new, name="workflow_new"),
    path("<int:pk>/", views.workflow_detail, name="workflow"),
    path("<int:pk>/edit/", views.workflow_edit, name="workflow_edit"),
    path("<int:pk>/status", views.workflow_status, name="workflow_status"),
    path("<int:pk>/enroll", views.workflow_enroll, name="workflow_enroll"),
]
