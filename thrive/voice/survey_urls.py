"""Survey answer links from emails, included at ``s/``: signed tokens, no sign-in."""

from django.urls import path

from .views import answers

urlpatterns = [
    path("stop/<str:token>", answers.survey_opt_out, name="voice_survey_opt_out"),
    path("<str:token>", answers.answer, name="voice_answer"),
    path("<str:token>/comment", answers.answer_comment, name="voice_answer_comment"),
]
