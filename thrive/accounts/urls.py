from django.urls import path

from . import views

urlpatterns = [
    path("", views.business_settings, name="business_settings"),
    path("profile/", views.profile, name="profile"),
    path("onboarding/dismiss", views.dismiss_onboarding, name="onboarding_dismiss"),
]
