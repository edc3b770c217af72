"""The staff page at ``sessions/``: my weekly hours, session types, the calendar."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from thrive.core.redirects import next_from
from thrive.core.roles import role_required

from .. import queries, services
from ..forms import SessionTypeForm, WeeklyHoursForm
from ..models import Booking


def _page(
    request: HttpRequest,
    hours_form: WeeklyHoursForm | None = None,
    type_form: SessionTypeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    me = request.user
    windows = queries.windows_for(me)
    upcoming = list(queries.upcoming_sessions()[:50])
    kinds = list(queries.active_session_types())
    link = request.build_absolute_uri(reverse("book_index"))
    return render(request, "bookings/sessions.html", {
        "here": "sessions",
        "hours_form": hours_form or WeeklyHoursForm(initial=WeeklyHoursForm.initial_for(windows)),
        "type_form": type_form or SessionTypeForm(),
        "has_hours": bool(windows), "my_zone": queries.zone_of(me).key,
        "upcoming": upcoming, "recent": list(queries.recent_sessions()),
        "kinds": kinds, "public_link": link,
        "mine": sum(1 for b in upcoming if b.associate_id == me.pk),
    }, status=status)  # fmt: skip


@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@role_required("edit", writes_only=True)
def save_hours(request: HttpRequest) -> HttpResponse:
    form = WeeklyHoursForm(request.POST)
    if form.is_valid():
        try:
            count = services.set_weekly_hours(
                request.user, form.cleaned_data["windows"], actor=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved your weekly hours ({count} window"
                             f"{'s' if count != 1 else ''}).")  # fmt: skip
            # Back where they were: this page, or their profile page.
            return redirect(next_from(request, reverse("sessions")))
    return _page(request, hours_form=form, status=400)


@require_POST
@role_required("edit", writes_only=True)
def add_type(request: HttpRequest) -> HttpResponse:
    form = SessionTypeForm(request.POST)
    if form.is_valid():
        try:
            kind = services.save_session_type(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Added the session type “{kind.name}”.")
            return redirect("sessions")
    return _page(request, type_form=form, status=400)


@require_POST
@role_required("edit")
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(Booking, pk=pk)
    if services.cancel_booking(booking, actor=request.user):
        messages.success(request, f"Cancelled the session with {booking.person}; they were "
                         "emailed a calendar cancellation.")  # fmt: skip
    else:
        messages.error(request, "That session was already moved or cancelled.")
    return redirect("sessions")
