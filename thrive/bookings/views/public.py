"""The public booking pages at ``book/``: no account needed.

Times are shown in the visitor's zone: the ``tz`` query parameter, filled by a small
script from the browser's own zone, with a select to change it when scripts are off.
Every POST is CSRF-protected and rate limited per IP.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, available_timezones

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.accounts.queries import business_name
from thrive.core import business
from thrive.core.public_forms import Refused, guard, refusal
from thrive.core.ratelimit import Limit
from thrive.core.ratelimit import client_ip as key_ip
from thrive.core.tokens import TokenError

from .. import calendar_services, queries, services
from ..forms import BookingForm, consent_wording
from ..links import manage_token, read_manage_token
from ..models import Booking, SessionType

BOOKINGS_PER_IP = Limit(10, dt.timedelta(hours=1), "booking_per_ip")
CHANGES_PER_IP = Limit(30, dt.timedelta(hours=1), "booking_change_per_ip")
START_FORMAT = "%Y%m%dT%H%MZ"
ZONES = sorted(available_timezones() - {"localtime", "Factory"})


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client says unless a trusted
    # proxy rewrites it, and trusting it would let anyone dodge the limit.
    return request.META.get("REMOTE_ADDR") or None


def _zone(request: HttpRequest, default: str) -> ZoneInfo:
    name = (request.GET.get("tz") or request.POST.get("tz") or "").strip()
    return ZoneInfo(name if name in ZONES else (default or business.time_zone_name()))


def _message(request: HttpRequest, title: str, message: str, status: int = 200) -> HttpResponse:
    return render(
        request, "bookings/public/message.html", {"title": title, "message": message},
        status=status,
    )  # fmt: skip


def _parse_start(raw: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(raw, START_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise Http404("No such time.") from exc


def _first_day(request: HttpRequest, zone: ZoneInfo, session_type: SessionType) -> dt.date:
    today = timezone.now().astimezone(zone).date()
    try:
        day = dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        return today
    return min(max(day, today), today + dt.timedelta(days=session_type.max_days_ahead))


def _week(
    request: HttpRequest, associate: Any, session_type: SessionType, zone: ZoneInfo,
    *, exclude: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    first = _first_day(request, zone, session_type)
    today = timezone.now().astimezone(zone).date()
    days = queries.slots_by_day(associate, session_type, zone, first, exclude=exclude)
    if exclude is not None:  # moving: the session's own time is not another time
        own = Booking.objects.filter(pk=exclude).values_list("start_at", flat=True).first()
        days = [(day, [s for s in slots if s != own]) for day, slots in days]
    last_bookable = today + dt.timedelta(days=session_type.max_days_ahead)
    following = first + dt.timedelta(days=7)
    return {
        "days": [(day, [(s, s.astimezone(dt.UTC).strftime(START_FORMAT)) for s in slots])
                 for day, slots in days],
        "from_day": request.GET.get("from", ""),
        "zone": zone.key,
        "zones": ZONES,
        "previous_week": (first - dt.timedelta(days=7)).isoformat() if first > today else "",
        "next_week": following.isoformat() if following <= last_bookable else "",
        "any_free": any(slots for _, slots in days),
    }  # fmt: skip


def _associate(username: str) -> Any:
    return get_object_or_404(get_user_model(), username=username, is_active=True)


@login_not_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    associates = list(queries.bookable_associates())
    kinds = list(queries.active_session_types())
    shared = [(kind, team) for kind in kinds if (team := queries.team_of(kind))]
    tz = request.GET.get("tz", "")
    return render(request, "bookings/public/index.html", {
        "associates": associates, "kinds": kinds, "shared": shared,
        "tz_query": urlencode({"tz": tz}) if tz in ZONES else "",
    })  # fmt: skip


def _refresh_stale(associates: list[Any]) -> None:
    # The page reads only the cached busy times; a stale cache (a worker restarted, a lost
    # queue row) gets a refresh queued for the next visitor. This and the rate-limit
    # counters are the only writes a GET here may make.
    calendar_services.queue_stale(associates)


@login_not_required
@require_GET
def slots(request: HttpRequest, username: str, kind: str) -> HttpResponse:
    associate = _associate(username)
    session_type = get_object_or_404(SessionType, slug=kind, active=True)
    _refresh_stale([associate])
    zone = _zone(request, associate.time_zone)
    context = _week(request, associate, session_type, zone)
    context.update({"associate": associate, "kind": session_type,
                    "pick_url": reverse("book_slots", args=[username, kind])})  # fmt: skip
    return render(request, "bookings/public/slots.html", context)


def _team_type(kind: str) -> tuple[SessionType, list[Any]]:
    session_type = get_object_or_404(SessionType, slug=kind, active=True)
    team = queries.team_of(session_type)
    if not team:
        raise Http404("This session is not shared by a team.")
    return session_type, team


@login_not_required
@require_GET
def team_slots(request: HttpRequest, kind: str) -> HttpResponse:
    session_type, team = _team_type(kind)
    _refresh_stale(team)
    zone = _zone(request, business.time_zone_name())
    context = _week(request, None, session_type, zone)
    context.update({"associate": None, "team": team, "kind": session_type,
                    "pick_url": reverse("book_team_slots", args=[kind])})  # fmt: skip
    return render(request, "bookings/public/slots.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def team_book(request: HttpRequest, kind: str, start: str) -> HttpResponse:
    session_type, team = _team_type(kind)
    return _book_page(request, None, session_type, _parse_start(start),
                      back=reverse("book_team_slots", args=[kind]), team=team)  # fmt: skip


@login_not_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, username: str, kind: str, start: str) -> HttpResponse:
    associate = _associate(username)
    session_type = get_object_or_404(SessionType, slug=kind, active=True)
    return _book_page(request, associate, session_type, _parse_start(start),
                      back=reverse("book_slots", args=[username, kind]))  # fmt: skip


def _book_page(
    request: HttpRequest, associate: Any, session_type: SessionType, when: dt.datetime,
    *, back: str, team: list[Any] | None = None,
) -> HttpResponse:  # fmt: skip
    """The booking form for one time, with one associate or (``associate`` None) with
    whichever team member round robin picks."""
    zone = _zone(request, associate.time_zone if associate else business.time_zone_name())
    business_title = business_name()
    questions = list(session_type.questions.all())
    form = BookingForm(request.POST or None, business=business_title, questions=questions)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            guard(request, (f"bookings:ip:{key_ip(request)}", BOOKINGS_PER_IP))
            visitor = {
                "email": data["email"], "first_name": data["first_name"],
                "last_name": data["last_name"], "note": data["note"],
                "visitor_time_zone": zone.key, "consent_text": consent_wording(business_title),
                "wants_news": data["news"], "ip_address": client_ip(request),
                "source_url": request.path,
                "answers": services.clean_answers(session_type, form.raw_answers()),
            }  # fmt: skip
            if associate is None:
                booking = services.book_with_team(session_type=session_type, start=when,
                                                  **visitor)  # fmt: skip
            else:
                booking = services.book_session(associate=associate, session_type=session_type,
                                                start=when, **visitor)  # fmt: skip
        except Refused as exc:
            return refusal(request, exc)
        except (services.SlotTaken, services.SlotUnavailable, services.SlotBusy) as exc:
            error = exc.message
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            url = reverse("book_manage", args=[manage_token(booking)])
            return redirect(f"{url}?booked=1")
    elif request.method == "GET":
        end = when + session_type.length
        free = (
            when in queries.team_open_slots(session_type, when, end)
            if associate is None
            else when in queries.open_slots(associate, session_type, when, end)
        )
        if not free:
            error = "That time is no longer free."
    local = when.astimezone(zone)
    return render(request, "bookings/public/book.html", {
        "associate": associate, "team": team, "kind": session_type, "form": form,
        "start": local, "end": (when + session_type.length).astimezone(zone), "zone": zone.key,
        "error": error, "back": back,
    }, status=409 if error and request.method == "POST" else 200)  # fmt: skip


def _open(token: str) -> Booking:
    return read_manage_token(token)


@login_not_required
@require_GET
def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booking = _open(token)
    except TokenError as exc:
        return _message(request, "This link does not work", str(exc), 400)
    zone = _zone(request, booking.visitor_time_zone)
    context: dict[str, Any] = {
        "booking": booking, "token": token, "zone": zone.key,
        "start": booking.start_at.astimezone(zone), "end": booking.end_at.astimezone(zone),
        "just_booked": request.GET.get("booked") == "1",
        "moved_to": getattr(booking, "rescheduled_to", None)
        if booking.status == "rescheduled" else None,
    }  # fmt: skip
    if booking.is_live:
        context.update(_week(request, booking.associate, booking.session_type, zone,
                             exclude=booking.pk))  # fmt: skip
        context["pick_url"] = reverse("book_manage", args=[token])
    return render(request, "bookings/public/manage.html", context)


@login_not_required
@require_POST
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booking = _open(token)
        guard(request, (f"bookings:ip:{key_ip(request)}:change", CHANGES_PER_IP))
    except TokenError as exc:
        return _message(request, "This link does not work", str(exc), 400)
    except Refused as exc:
        return refusal(request, exc)
    if not services.cancel_booking(booking):
        return _message(request, "Nothing to cancel", "This session was already moved or "
                        "cancelled.", 409)  # fmt: skip
    return _message(request, "Your session is cancelled",
                    "We sent you an email that removes it from your calendar.")  # fmt: skip


@login_not_required
@require_POST
def move(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booking = _open(token)
        guard(request, (f"bookings:ip:{key_ip(request)}:change", CHANGES_PER_IP))
    except TokenError as exc:
        return _message(request, "This link does not work", str(exc), 400)
    except Refused as exc:
        return refusal(request, exc)
    when = _parse_start(request.POST.get("start", ""))
    try:
        new = services.reschedule_booking(booking, when)
    except (services.SlotTaken, services.SlotUnavailable) as exc:
        return _message(request, "Please pick another time", exc.message, 409)
    except ValidationError as exc:
        return _message(request, "This session cannot be moved", " ".join(exc.messages), 409)
    url = reverse("book_manage", args=[manage_token(new)])
    return redirect(f"{url}?{urlencode({'tz': new.visitor_time_zone, 'booked': '1'})}")
