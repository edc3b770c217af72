"""The public booking pages, included at ``book/``: no staff sign-in needed."""

from django.urls import path

from .views import public

urlpatterns = [
    path("", public.index, name="book_index"),
    path("manage/<str:token>/", public.manage, name="book_manage"),
    path("manage/<str:token>/cancel", public.cancel, name="book_cancel"),
    path("manage/<str:token>/move", public.move, name="book_move"),
    # Round robin: whoever of the team is free (before the per-associate routes).
    path("team/<slug:kind>/", public.team_slots, name="book_team_slots"),
    path("team/<slug:kind>/<str:start>", public.team_book, name="book_team_form"),
    path("<str:username>/<slug:kind>/", public.slots, name="book_slots"),
    path("<str:username>/<slug:kind>/<str:start>", public.book, name="book_form"),
]
