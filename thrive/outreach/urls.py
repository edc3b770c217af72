"""Outreach pages in the workspace, included at ``outreach/``."""

from django.urls import path

from .views import campaigns, drafts, personal, sequences, templates

urlpatterns = [
    path("", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/send", campaigns.campaign_send, name="campaign_send"),
    path("campaigns/<int:pk>/skipped/", campaigns.campaign_skipped, name="campaign_skipped"),
    path("campaigns/<int:pk>/stop", campaigns.campaign_stop, name="campaign_stop"),
    path("campaigns/<int:pk>/edit", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/cancel", campaigns.campaign_cancel, name="campaign_cancel"),
    path("templates/", templates.template_list, name="outreach_templates"),
    path("templates/new/", templates.template_new, name="outreach_template_new"),
    path("templates/<int:pk>/", templates.template_edit, name="outreach_template"),
    path(
        "templates/<int:pk>/preview", templates.template_preview, name="outreach_template_preview"
    ),
    path(
        "templates/<int:pk>/preview/html",
        templates.template_preview_html,
        name="outreach_template_preview_html",
    ),
    path("templates/people", templates.template_people, name="outreach_template_people"),
    path(
        "templates/preview/draft",
        templates.template_preview_draft,
        name="outreach_template_preview_draft",
    ),
    path(
        "templates/<int:pk>/send-test",
        templates.template_send_test,
        name="outreach_template_send_test",
    ),
    path("sequences/", sequences.sequence_list, name="sequences"),
    path("sequences/new/", sequences.sequence_new, name="sequence_new"),
    path("sequences/<int:pk>/", sequences.sequence_detail, name="sequence"),
    path("sequences/<int:pk>/steps", sequences.sequence_add_step, name="sequence_add_step"),
    path("sequences/<int:pk>/enroll", sequences.sequence_enroll, name="sequence_enroll"),
    path("drafts/<int:pk>/", drafts.draft_detail, name="outreach_draft"),
    path("email/<int:person_pk>/", personal.compose, name="personal_email"),
]
