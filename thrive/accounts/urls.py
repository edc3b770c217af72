from django.urls import path

from . import views

urlpatterns = [
    path("", views.business_settings, name="business_settings"),
    path("profile/", views.profile, name="profile"),
    path("email/test", views.send_test_email_view, name="send_test_email"),
    path("onboarding/dismiss", views.dismiss_onboarding, name="onboarding_dismiss"),
]
