"""The sessions page's calendars, dates and questions for every role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from thrive.bookings import calendar_services
from thrive.bookings.models import CalendarConnection, DateOverride, IntakeQuestion
from thrive.conftest import client_for
from thrive.core.roles import Role

pytestmark = pytest.mark.django_db

FEED = {"kind": "ical", "name": "Phone", "url": "https://calendar.example.com/me.ics"}


def test_each_role_sees_the_calendar_section_and_only_editors_get_its_forms(persona):
    page = client_for(persona).get(reverse("sessions"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "My calendars" in html and "Other hours on some dates, and time off" in html
    assert ("Connect a calendar" in html) == (persona.role != Role.READ_ONLY)
    assert "Ask a question when people book" not in html  # no session type yet


def test_read_only_cannot_write_anything_here(read_only, member, kind):
    theirs = calendar_services.connect_calendar(member, actor=member, kind="ical",
                                                url=FEED["url"])  # fmt: skip
    reader = client_for(read_only)
    posts = [
        (reverse("sessions_calendars"), FEED),
        (reverse("sessions_calendar_refresh", args=[theirs.pk]), {}),
        (reverse("sessions_calendar_remove", args=[theirs.pk]), {}),
        (reverse("sessions_dates"), {"first_day": "2030-01-07"}),
        (reverse("sessions_questions"), {"session_type": kind.pk, "label": "Q", "kind": "text"}),
        (reverse("sessions_type_edit", args=[kind.pk]), {f"t{kind.pk}-name": "Renamed"}),
    ]
    for url, data in posts:
        assert reader.post(url, data).status_code == 403, url
    assert CalendarConnection.objects.count() == 1
    assert not DateOverride.objects.exists() and not IntakeQuestion.objects.exists()


def test_a_member_connects_their_own_calendar_and_the_owner_sees_everyones(member, owner):
    staff = client_for(member)
    response = staff.post(reverse("sessions_calendars"), {**FEED, "password": "s3cret"})
    assert response.status_code == 302
    connection = CalendarConnection.objects.get()
    assert connection.associate == member and "s3cret" not in connection.password_sealed
    assert calendar_services.password_of(connection) == "s3cret"
    mine = staff.get(reverse("sessions")).content.decode()
    assert "Waiting for the first fetch" in mine and "s3cret" not in mine
    everyone = client_for(owner).get(reverse("sessions")).content.decode()
    assert "Everyone&#x27;s calendars" in everyone or "Everyone's calendars" in everyone
    assert f"Disconnect Phone of {member}" in everyone


def test_a_member_cannot_touch_someone_elses_calendar_but_the_owner_can(member, owner):
    owners = calendar_services.connect_calendar(owner, actor=owner, kind="ical", url=FEED["url"])
    members = calendar_services.connect_calendar(member, actor=member, kind="ical",
                                                 url=FEED["url"])  # fmt: skip
    assert (
        client_for(member).post(reverse("sessions_calendar_remove", args=[owners.pk])).status_code
        == 403
    )
    assert (
        client_for(owner).post(reverse("sessions_calendar_remove", args=[members.pk])).status_code
        == 302
    )
    assert list(CalendarConnection.objects.all()) == [owners]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**FEED, "url": "ftp://example.com/cal.ics"}, "starts with https://"),
        ({**FEED, "kind": "caldav"}, "needs the account&#x27;s username"),
        ({**FEED, "kind": "exchange"}, "Select a valid choice"),
    ],
    ids=["scheme", "caldav-no-user", "kind"],
)
def test_bad_calendar_details_are_answered_in_words(member, data, message):
    response = client_for(member).post(reverse("sessions_calendars"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CalendarConnection.objects.exists()


def test_time_off_and_other_hours_through_the_page(member):
    staff = client_for(member)
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)
    off = staff.post(reverse("sessions_dates"), {
        "first_day": day.isoformat(), "last_day": (day + dt.timedelta(days=2)).isoformat(),
        "note": "Coffee fair",
    })  # fmt: skip
    assert off.status_code == 302
    assert DateOverride.objects.filter(associate=member, start_time__isnull=True).count() == 3
    bad = staff.post(reverse("sessions_dates"), {"first_day": day.isoformat(),
                                                 "hours": "14:00-13:00"})  # fmt: skip
    assert bad.status_code == 400 and "14:00-13:00 ends before it starts." in bad.content.decode()
    other = staff.post(reverse("sessions_dates"), {"first_day": day.isoformat(),
                                                   "hours": "10:00-12:00"})  # fmt: skip
    assert other.status_code == 302
    rows = DateOverride.objects.filter(associate=member, day=day)
    assert [(r.start_time, r.end_time) for r in rows] == [(dt.time(10), dt.time(12))]
    page = staff.get(reverse("sessions")).content.decode()
    assert "10:00–12:00" in page and "Coffee fair" in page
    assert staff.post(reverse("sessions_date_clear", args=[rows[0].pk])).status_code == 302
    assert not DateOverride.objects.filter(day=day).exists()


def test_questions_through_the_page(member, kind):
    staff = client_for(member)
    one = {"session_type": kind.pk, "label": "Size", "kind": "choice", "choices": "One"}
    bad = staff.post(reverse("sessions_questions"), one)
    assert bad.status_code == 400 and "at least two options" in bad.content.decode()
    good = staff.post(reverse("sessions_questions"), {
        "session_type": kind.pk, "label": "Size", "kind": "choice", "choices": "S\nL",
        "required": "on",
    })  # fmt: skip
    assert good.status_code == 302
    question = IntakeQuestion.objects.get()
    assert question.options == ["S", "L"] and question.required
    assert "Size" in staff.get(reverse("sessions")).content.decode()
    assert staff.post(reverse("sessions_question_remove", args=[question.pk])).status_code == 302
    assert not IntakeQuestion.objects.exists()


def test_the_profile_page_shows_my_calendars_and_links_to_them(member):
    calendar_services.connect_calendar(member, actor=member, kind="ical", url=FEED["url"],
                                       name="Phone")  # fmt: skip
    html = client_for(member).get(reverse("profile")).content.decode()
    assert "Your calendars: <strong>Phone</strong>" in html
    assert f'href="{reverse("sessions")}#calendars"' in html


def test_an_editor_gives_an_existing_session_type_a_video_link_and_a_team(member, owner, kind):
    data = {f"t{kind.pk}-{name}": value for name, value in {
        "name": kind.name, "description": "", "minutes": 30, "buffer_before_minutes": 0,
        "buffer_after_minutes": 10, "min_notice_hours": 0, "max_days_ahead": 60,
        "video_link": "https://meet.example.com/room", "associates": [member.pk, owner.pk],
    }.items()}  # fmt: skip
    url = reverse("sessions_type_edit", args=[kind.pk])
    bad = client_for(member).post(url, {**data, f"t{kind.pk}-video_link": "not a link"})
    assert bad.status_code == 400 and "Enter a valid URL." in bad.content.decode()
    assert client_for(member).post(url, data).status_code == 302
    kind.refresh_from_db()
    assert kind.video_link == "https://meet.example.com/room"
    assert set(kind.associates.all()) == {member, owner}
