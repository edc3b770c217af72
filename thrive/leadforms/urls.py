"""The forms pages for associates, included at ``forms/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.form_list, name="leadforms"),
    path("new/", views.form_new, name="leadform_new"),
    path("<int:pk>/", views.form_detail, name="leadform"),
    path("<int:pk>/edit/", views.form_edit, name="leadform_edit"),
]
