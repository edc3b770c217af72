"""The shared inbox, included at ``inbox/``."""

from django.urls import path

from . import public_views, views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("settings", views.settings_page, name="inbox_settings"),
    path("canned/<int:pk>/delete", views.canned_delete, name="inbox_canned_delete"),
    path("mailbox/<int:pk>/delete", views.mailbox_delete, name="inbox_mailbox_delete"),
    path("csat/<str:token>", public_views.answer, name="inbox_csat"),
    path("raw/<int:pk>/", views.raw_message, name="inbox_raw"),
    path("raw/<int:pk>/refile", views.refile, name="inbox_refile"),
    path("<int:pk>/", views.conversation, name="inbox_conversation"),
    path("<int:pk>/reply", views.reply, name="inbox_reply"),
    path("<int:pk>/note", views.note, name="inbox_note"),
    path("<int:pk>/triage", views.triage, name="inbox_triage"),
    path("<int:pk>/attachments/<int:attachment_pk>", views.attachment, name="inbox_attachment"),
    path("<int:pk>/drafting", views.drafting, name="inbox_drafting"),
]
