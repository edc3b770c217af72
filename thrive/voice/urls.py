"""Staff pages, included at ``voice/``."""

from django.urls import path

from .views import staff, themes

urlpatterns = [
    path("", staff.idea_list, name="voice_ideas"),
    path("ideas/new", staff.idea_log, name="voice_idea_log"),
    path("ideas/<int:pk>/", staff.idea_detail, name="voice_staff_idea"),
    path("ideas/<int:pk>/status", staff.idea_status, name="voice_idea_status"),
    path("ideas/<int:pk>/merge", staff.idea_merge, name="voice_idea_merge"),
    path("ideas/<int:pk>/reply", staff.idea_reply, name="voice_idea_reply"),
    path("surveys/", staff.survey_list, name="voice_surveys"),
    path("surveys/<int:pk>/", staff.survey_detail, name="voice_survey"),
    path("surveys/<int:pk>/send", staff.survey_send, name="voice_survey_send"),
    path("themes/", themes.themes, name="voice_themes"),
    path("themes/refresh", themes.themes_refresh, name="voice_themes_refresh"),
    path("jobs/<int:pk>/status", staff.job_status, name="voice_job_status"),
    path("jobs/<int:pk>/retry", staff.job_retry, name="voice_job_retry"),
]
