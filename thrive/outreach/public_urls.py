"""Public pages reached from emails, included at ``m/``: no sign-in, signed tokens."""

from django.urls import path

from .views import public, webhooks

urlpatterns = [
    path("u/<str:token>", public.unsubscribe, name="outreach_unsubscribe"),
    path("o/<str:token>", public.open_pixel, name="outreach_open"),
    path("c/<str:token>", public.click, name="outreach_click"),
    path("confirm/<str:token>", public.confirm, name="outreach_confirm"),
    path("join", public.join, name="outreach_join"),
    path("bounces", webhooks.bounce_webhook, name="outreach_bounce_webhook"),
]
