"""The staff page at ``sessions/``: my weekly hours, session types, the calendar."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from thrive.core.redirects import next_from
from thrive.core.roles import Role, role_required

from .. import calendar_services, queries, services
from ..forms import CalendarForm, DatesForm, QuestionForm, SessionTypeForm, WeeklyHoursForm
from ..models import Booking, CalendarConnection, DateOverride, IntakeQuestion, SessionType


def _page(
    request: HttpRequest,
    hours_form: WeeklyHoursForm | None = None,
    type_form: SessionTypeForm | None = None,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    me = request.user
    today = timezone.now().astimezone(queries.zone_of(me)).date()
    is_owner = getattr(me, "role", None) == Role.OWNER
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
        "my_calendars": list(queries.calendars_of(me)),
        "team_calendars": [c for c in queries.all_calendars() if c.associate_id != me.pk]
        if is_owner else [],
        "calendar_form": forms.get("calendar_form") or CalendarForm(),
        "dates_form": forms.get("dates_form") or DatesForm(),
        "question_form": forms.get("question_form") or QuestionForm(),
        "my_dates": list(queries.date_overrides(me, today=today)),
        "questions": {k.pk: list(k.questions.all()) for k in kinds},
        "edit_forms": {
            k.pk: forms["edit_form"]
            if getattr(forms.get("edit_form"), "instance", None) == k
            else SessionTypeForm(instance=k, prefix=f"t{k.pk}")
            for k in kinds
        },
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
def edit_type(request: HttpRequest, pk: int) -> HttpResponse:
    kind = get_object_or_404(SessionType, pk=pk, active=True)
    form = SessionTypeForm(request.POST, instance=kind, prefix=f"t{kind.pk}")
    if form.is_valid():
        try:
            services.save_session_type(actor=request.user, instance=kind, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved the session type “{kind.name}”.")
            return redirect(f"{reverse('sessions')}#types")
    return _page(request, edit_form=form, status=400)


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


# Connected calendars --------------------------------------------------------------------


def _connection(request: HttpRequest, pk: int) -> CalendarConnection:
    connection = get_object_or_404(CalendarConnection.objects.select_related("associate"), pk=pk)
    if (
        connection.associate_id != request.user.pk
        and getattr(request.user, "role", None) != Role.OWNER
    ):
        raise PermissionDenied("Only an owner can change another associate's calendar.")
    return connection


@require_POST
@role_required("edit")
def connect_calendar(request: HttpRequest) -> HttpResponse:
    form = CalendarForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            connection = calendar_services.connect_calendar(
                request.user, actor=request.user, kind=data["kind"], url=data["url"],
                username=data["username"], password=data["password"], name=data["name"],
            )  # fmt: skip
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Connected “{connection}”. Its busy times are being "
                             "fetched; refresh this page in a moment.")  # fmt: skip
            return redirect(f"{reverse('sessions')}#calendars")
    return _page(request, calendar_form=form, status=400)


@require_POST
@role_required("edit")
def refresh_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    connection = _connection(request, pk)
    calendar_services.refresh_now(connection, actor=request.user)
    messages.success(request, f"Fetching “{connection}” again; refresh this page in a moment.")
    return redirect(f"{reverse('sessions')}#calendars")


@require_POST
@role_required("edit")
def remove_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    connection = _connection(request, pk)
    calendar_services.remove_calendar(connection, actor=request.user)
    messages.success(request, f"Disconnected “{connection}”: its busy times no longer count.")
    return redirect(f"{reverse('sessions')}#calendars")


# Date overrides and time off -------------------------------------------------------------


@require_POST
@role_required("edit")
def save_dates(request: HttpRequest) -> HttpResponse:
    form = DatesForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            count = calendar_services.set_days(
                request.user, data["first_day"], data["last_day"], data["windows"],
                actor=request.user, note=data["note"],
            )  # fmt: skip
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            what = "hours" if data["windows"] else "time off"
            messages.success(
                request, f"Saved your {what} ({count} row{'s' if count != 1 else ''})."
            )
            return redirect(f"{reverse('sessions')}#dates")
    return _page(request, dates_form=form, status=400)


@require_POST
@role_required("edit")
def clear_date(request: HttpRequest, pk: int) -> HttpResponse:
    override = get_object_or_404(DateOverride, pk=pk, associate=request.user)
    calendar_services.clear_date(override, actor=request.user)
    messages.success(request, f"{override.day:%A %-d %B}: back to your weekly hours.")
    return redirect(f"{reverse('sessions')}#dates")


# Intake questions ------------------------------------------------------------------------


@require_POST
@role_required("edit")
def add_question(request: HttpRequest) -> HttpResponse:
    form = QuestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            question = services.add_question(
                data["session_type"], actor=request.user, label=data["label"],
                kind=data["kind"], choices=data["choices"], required=data["required"],
            )  # fmt: skip
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Added the question “{question.label}”.")
            return redirect(f"{reverse('sessions')}#types")
    return _page(request, question_form=form, status=400)


@require_POST
@role_required("edit")
def remove_question(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(IntakeQuestion, pk=pk)
    services.remove_question(question, actor=request.user)
    messages.success(request, f"Removed the question “{question.label}”.")
    return redirect(f"{reverse('sessions')}#types")
