"""The referral-partner portal at ``partners/``: no staff sign-in, identity by a
single-use magic link."""

from django.urls import path

from .views import public

urlpatterns = [
    path("", public.portal, name="partner_portal"),
    path("refer", public.refer, name="partner_refer"),
    path("link", public.request_link, name="partner_request_link"),
    path("open/<str:token>", public.open_link, name="partner_open"),
    path("sign-out", public.sign_out, name="partner_sign_out"),
]
