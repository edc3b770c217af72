"""Pages that compose several apps."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from thrive.contacts.forms import LogInteractionForm
from thrive.contacts.models import Person
from thrive.contacts.services import HAND_LOGGED_KINDS

from .person import person_profile


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        Person.objects.select_related("organization", "acquisition_channel"), pk=pk
    )
    context = person_profile(person, timeline_page=request.GET.get("timeline"))
    context["log_form"] = LogInteractionForm()
    context["hand_logged_kinds"] = sorted(HAND_LOGGED_KINDS)
    return render(request, "contacts/person_detail.html", context)
