"""Waits end at the right moment for each person, in their own time zone, across DST."""

from __future__ import annotations

import datetime as dt

import pytest

from thrive.automations import engine
from thrive.automations.models import EnrollmentStatus
from thrive.automations.tests.conftest import where
from thrive.contacts import services as contacts
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
TAG_AFTER = {"kind": "add_tag", "tag": "Waited"}


def tags(person) -> set[str]:
    return set(person.tags.values_list("name", flat=True))


def enrol(build, steps, **people):
    workflow = build("tag_added", steps, trigger_config={"tag": "go"})
    made = {name: PersonFactory(time_zone=zone) for name, zone in people.items()}
    for person in made.values():
        contacts.add_tag(person, "go", actor=None)
    engine.process_activities()
    return workflow, made


def test_a_duration_wait_lets_no_one_through_early(build):
    workflow, people = enrol(build, [{"kind": "wait", "days": 2}, TAG_AFTER], ann="")
    start = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
    engine.advance_enrollments(now=start)
    engine.advance_enrollments(now=start + dt.timedelta(days=2) - dt.timedelta(seconds=1))
    assert "Waited" not in tags(people["ann"])
    engine.advance_enrollments(now=start + dt.timedelta(days=2))
    assert "Waited" in tags(people["ann"])
    assert where(workflow, people["ann"]).status == EnrollmentStatus.COMPLETED


def test_nine_the_next_morning_in_new_york_across_the_march_dst_change(build):
    # 8 March 2026 is the spring change in the US: 09:00 is then EDT (UTC-4), not EST.
    steps = [{"kind": "wait_until", "time": "09:00", "after_days": 1}, TAG_AFTER]
    workflow, people = enrol(build, steps, nyc="America/New_York")
    saturday_10am_est = dt.datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
    engine.advance_enrollments(now=saturday_10am_est)
    enrollment = where(workflow, people["nyc"])
    assert enrollment.wait_until == dt.datetime(2026, 3, 8, 13, 0, tzinfo=UTC)
    engine.advance_enrollments(now=dt.datetime(2026, 3, 8, 12, 59, tzinfo=UTC))
    assert "Waited" not in tags(people["nyc"])
    engine.advance_enrollments(now=dt.datetime(2026, 3, 8, 13, 0, tzinfo=UTC))
    assert "Waited" in tags(people["nyc"])


def test_the_same_local_time_is_a_different_moment_for_each_zone(build):
    steps = [{"kind": "wait_until", "time": "09:00"}, TAG_AFTER]
    workflow, people = enrol(build, steps, tokyo="Asia/Tokyo", la="America/Los_Angeles", x="")
    now = dt.datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
    engine.advance_enrollments(now=now)
    deadlines = {name: where(workflow, p).wait_until for name, p in people.items()}
    assert deadlines["tokyo"] == dt.datetime(2030, 6, 2, 0, 0, tzinfo=UTC)  # 09:00 JST
    assert deadlines["la"] == dt.datetime(2030, 6, 1, 16, 0, tzinfo=UTC)  # 09:00 PDT today
    assert deadlines["x"] == dt.datetime(2030, 6, 2, 9, 0, tzinfo=UTC)  # business zone: UTC


def test_a_time_skipped_by_the_spring_change_falls_an_hour_later(build):
    steps = [{"kind": "wait_until", "time": "02:30", "date": "2026-03-08"}, TAG_AFTER]
    workflow, people = enrol(build, steps, nyc="America/New_York")
    engine.advance_enrollments(now=dt.datetime(2026, 3, 1, tzinfo=UTC))
    # 02:30 does not exist that night; it is read as 03:30 EDT, i.e. 07:30 UTC.
    assert where(workflow, people["nyc"]).wait_until == dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_a_wait_for_an_event_continues_when_it_happens_or_times_out(build):
    steps = [
        {"kind": "wait_event", "event": "order", "timeout_days": 3, "timeout": 3},
        {"kind": "add_tag", "tag": "Ordered", "next": "end"},
        {"kind": "add_tag", "tag": "No order"},
    ]
    workflow, people = enrol(build, steps, buyer="", quiet="")
    start = dt.datetime(2030, 1, 1, tzinfo=UTC)
    engine.advance_enrollments(now=start)
    contacts.record_activity(people["buyer"], "order", data={"order": 1, "total": "9"})
    engine.process_activities()
    engine.advance_enrollments(now=start + dt.timedelta(hours=1))
    assert tags(people["buyer"]) >= {"Ordered"} and "No order" not in tags(people["buyer"])
    assert "Ordered" not in tags(people["quiet"])
    engine.advance_enrollments(now=start + dt.timedelta(days=3))
    assert "No order" in tags(people["quiet"])


def test_an_event_from_before_the_wait_does_not_count(build):
    steps = [{"kind": "wait_event", "event": "order", "timeout_days": 3}, TAG_AFTER]
    workflow, people = enrol(build, steps, ann="")
    contacts.record_activity(people["ann"], "order", data={"order": 1, "total": "9"})
    # The order is in the log before the wait starts, and is read after it started.
    engine.advance_enrollments(now=dt.datetime(2030, 1, 1, tzinfo=UTC))
    engine.process_activities()
    assert where(workflow, people["ann"]).status == EnrollmentStatus.WAITING
