"""The team view at ``/team/``: the owner sees every colleague; a colleague sees their own
page only (anyone else's is 403)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from thrive.core.roles import can_manage

from .team_view import WINDOW, colleagues


@require_GET
def team_view(request: HttpRequest) -> HttpResponse:
    if not can_manage(request.user):
        return redirect("team_view_one", pk=request.user.pk)
    users = list(get_user_model().objects.filter(is_active=True).order_by("first_name", "pk"))
    return render(
        request,
        "workspace/team_view.html",
        {"here": "team_view", "people": colleagues(users), "days": WINDOW.days, "all": True},
    )


@require_GET
def team_view_one(request: HttpRequest, pk: int) -> HttpResponse:
    if pk != request.user.pk and not can_manage(request.user):
        raise PermissionDenied("Each colleague sees their own page; the owner sees everyone's.")
    user = get_object_or_404(get_user_model(), pk=pk)
    return render(
        request,
        "workspace/team_view.html",
        {"here": "team_view", "people": colleagues([user]), "days": WINDOW.days, "all": False},
    )
