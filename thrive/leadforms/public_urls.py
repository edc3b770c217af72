"""The public forms, included at ``f/``: no sign-in."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("confirm/<str:token>", public_views.confirm, name="leadform_confirm"),
    path("<slug:slug>/", public_views.page, name="leadform_page"),
    path("<slug:slug>/send", public_views.embedded_send, name="leadform_send"),
]
