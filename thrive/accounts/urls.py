from django.urls import path

from . import team_views, views

urlpatterns = [
    path("", views.business_settings, name="business_settings"),
    path("profile/", views.profile, name="profile"),
    path("email/test", views.send_test_email_view, name="send_test_email"),
    path("onboarding/dismiss", views.dismiss_onboarding, name="onboarding_dismiss"),
    path("team/", team_views.team_page, name="team"),
    path("team/invite", team_views.team_invite, name="team_invite"),
    path("team/<int:pk>/resend", team_views.team_resend, name="team_resend"),
    path("team/<int:pk>/role", team_views.team_role, name="team_role"),
    path("team/<int:pk>/active", team_views.team_active, name="team_active"),
]
