from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from thrive.accounts import team_views as accounts_team_views
from thrive.accounts import views as accounts_views
from thrive.accounts.signin import SignInView, ThrottledAdminSignIn
from thrive.analytics import views as analytics_views
from thrive.contacts import views as contact_views
from thrive.core import views as core_views
from thrive.workspace import palette as palette_views
from thrive.workspace import task_inbox as task_views
from thrive.workspace import team_view_views
from thrive.workspace import views as workspace_views

admin.site.site_header = "Thrive records"
admin.site.site_title = "Thrive"
admin.site.index_title = "Every record of the business"
admin.site.login_form = ThrottledAdminSignIn

urlpatterns = [
    path("", analytics_views.dashboard, name="home"),
    path("dashboard/refresh", analytics_views.dashboard_refresh, name="dashboard_refresh"),
    path("dashboard/status", analytics_views.dashboard_status, name="dashboard_status"),
    path("ecosystem/", analytics_views.ecosystem, name="ecosystem"),
    path("people/", contact_views.people_list, name="people"),
    path("people/export.csv", contact_views.people_export, name="people_export"),
    path("people/bulk", contact_views.people_bulk, name="people_bulk"),
    path("people/new/", contact_views.person_new, name="person_new"),
    path("people/<int:pk>/", workspace_views.person_detail, name="person"),
    path("people/<int:pk>/edit/", contact_views.person_edit, name="person_edit"),
    path("people/<int:pk>/log", contact_views.person_log, name="person_log"),
    path("people/<int:pk>/automation", contact_views.person_automation, name="person_automation"),
    path(
        "people/<int:pk>/decline-profiling",
        contact_views.person_decline_profiling,
        name="person_decline_profiling",
    ),
    path(
        "people/<int:pk>/timeline/<int:activity_pk>/",
        contact_views.activity_detail,
        name="activity",
    ),
    path(
        "people/<int:pk>/timeline/<int:activity_pk>/correct",
        contact_views.activity_correct,
        name="activity_correct",
    ),
    path(
        "people/<int:pk>/timeline/<int:activity_pk>/retract",
        contact_views.activity_retract,
        name="activity_retract",
    ),
    path("organizations/", contact_views.organization_list, name="organizations"),
    path("organizations/new/", contact_views.organization_new, name="organization_new"),
    path("organizations/<int:pk>/", contact_views.organization_detail, name="organization"),
    path(
        "organizations/<int:pk>/edit/", contact_views.organization_edit, name="organization_edit"
    ),
    path("orders/", include("thrive.commerce.urls")),
    path("deals/", include("thrive.commerce.deal_urls")),
    path("segments/", include("thrive.segments.urls")),
    path("outreach/", include("thrive.outreach.urls")),
    path("m/", include("thrive.outreach.public_urls")),
    path("voice/", include("thrive.voice.urls")),
    path("ideas/", include("thrive.voice.public_urls")),
    path("s/", include("thrive.voice.survey_urls")),
    path("search/palette", palette_views.palette_search, name="palette_search"),
    path("tasks/", task_views.task_inbox, name="tasks"),
    path("tasks/new", task_views.task_create, name="task_create"),
    path("tasks/<int:pk>/finish", task_views.task_finish, name="task_finish"),
    path("automations/", include("thrive.automations.urls")),
    path("growth/", include("thrive.growth.urls")),
    path("team/", team_view_views.team_view, name="team_view"),
    path("team/<int:pk>/", team_view_views.team_view_one, name="team_view_one"),
    path("imports/", include("thrive.imports.urls")),
    path("data/", include("thrive.portability.urls")),
    path("webhooks/", include("thrive.webhooks.urls")),
    path("sessions/", include("thrive.bookings.urls")),
    path("inbox/", include("thrive.service.urls")),
    path("book/", include("thrive.bookings.public_urls")),
    path("reach/", include("thrive.prospects.urls")),
    path("partners/", include("thrive.prospects.public_urls")),
    path("forms/", include("thrive.leadforms.urls")),
    path("f/", include("thrive.leadforms.public_urls")),
    path("help/", include("thrive.helpcentre.urls")),
    path("api/", include("thrive.api.urls")),
    path("settings/", include("thrive.accounts.urls")),
    path("notifications/", include("thrive.digests.urls")),
    path("brand/logo", accounts_views.business_logo, name="business_logo"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        core_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        core_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        core_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/welcome/<uidb64>/<token>/",
        accounts_team_views.AcceptInvitationView.as_view(),
        name="accept_invitation",
    ),
    path(
        "accounts/reset/done/",
        core_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
]
