"""The public idea board, included at ``ideas/``: no staff sign-in needed."""

from django.urls import path

from .views import public

urlpatterns = [
    path("", public.board, name="voice_board"),
    path("new", public.new_idea, name="voice_new_idea"),
    path("<int:pk>/", public.idea_detail, name="voice_idea"),
    path("<int:pk>/vote", public.vote, name="voice_vote"),
    path("<int:pk>/comment", public.comment, name="voice_comment"),
    path("sign-in", public.sign_in_request, name="voice_sign_in_request"),
    path("sign-in/<str:token>", public.sign_in, name="voice_sign_in"),
    path("sign-out", public.sign_out, name="voice_sign_out"),
]
