"""The customer journey found in the timeline, checked on a hand-built timeline whose
transitions, median times, usual waits and stalled people are worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from thrive.conftest import client_for
from thrive.contacts.models import Activity
from thrive.growth import journey_map
from thrive.growth.journey_services import refresh_journey_map
from thrive.growth.models import JourneyMap
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 9, 11, 9, 0, tzinfo=dt.UTC)


def timeline(name: str, *steps: tuple[str, float]):
    person = PersonFactory(first_name=name)
    for kind, hours in steps:
        Activity.objects.create(
            person=person, kind=kind, occurred_at=T0 + dt.timedelta(hours=hours)
        )
    return person


@pytest.fixture
def people():
    return {
        "ann": timeline("Ann", ("form_submission", 0), ("email", 2), ("order", 26), ("email", 30)),
        "bob": timeline("Bob", ("form_submission", 0), ("email", 4), ("order", 52)),
        "cat": timeline("Cat", ("form_submission", 0), ("email", 6)),
        "dan": timeline("Dan", ("form_submission", 0), ("note", 1)),
        "eve": timeline("Eve", ("form_submission", 0), ("email", 1), ("order", 31)),
        # Started an hour ago: not yet waiting longer than usual.
        "fay": timeline("Fay", ("form_submission", 239)),
    }


def test_transitions_count_people_and_take_the_median_time(people):
    found = {(t.source, t.target): t for t in journey_map.transitions()}
    # Form → email: 2, 4, 6, 1 hours → median (2 + 4) / 2 = 3. Email → order: 24, 48, 30 → 30.
    # Ann's second email is not a new step; Dan's note is bookkeeping, not a step.
    assert set(found) == {("form_submission", "email"), ("email", "order")}
    assert found["form_submission", "email"].people == 4
    assert found["form_submission", "email"].median_hours == pytest.approx(3)
    assert found["email", "order"].people == 3
    assert found["email", "order"].median_hours == pytest.approx(30)


def test_people_who_wait_longer_than_usual_have_stalled_and_the_worst_steps_are_flagged(people):
    journey = journey_map.discover(now=NOW)
    steps = {s.kind: s for s in journey.steps}
    # Usual wait = 90th percentile (nearest rank) of the times to go on: form [1,2,4,6] → 6 h,
    # email [24,30,48] → 48 h; nobody has gone on from an order, so nobody stalls there.
    assert steps["form_submission"].usual_hours == pytest.approx(6)
    assert steps["email"].usual_hours == pytest.approx(48)
    assert steps["order"].usual_hours is None
    assert (steps["form_submission"].reached, steps["email"].reached, steps["order"].reached) == (
        6,
        4,
        3,
    )
    assert sorted(journey.stalled) == sorted(
        [(people["dan"].pk, "form_submission"), (people["cat"].pk, "email")]
    )
    # Leak: form 1 of 6, email 1 of 4 → email leaks most; email → order is slowest (30 h).
    assert journey.leakiest is not None and journey.leakiest.kind == "email"
    assert journey.slowest is not None
    assert (journey.slowest.source, journey.slowest.target) == ("email", "order")
    assert journey.people == 6
    assert [s.kind for s in journey.steps] == ["form_submission", "email", "order"]


def test_the_stored_map_links_to_exactly_the_people_stalled_there(people, read_only):
    stored = refresh_journey_map(now=NOW)
    assert stored.payload["slowest"] == ["email", "order"]
    assert stored.payload["leakiest"] == "email"
    page = client_for(read_only).get("/growth/journey/").content.decode()
    assert "<svg" in page and "Email → Order" in page
    assert "/people/?metric=journey_stalled_email" in page
    listed = client_for(read_only).get("/people/?metric=journey_stalled_email").content.decode()
    assert "Cat" in listed and "Bob" not in listed and "Dan" not in listed


def test_only_editors_can_ask_for_a_new_map(read_only, member, people):
    assert client_for(read_only).post("/growth/journey/").status_code == 403
    response = client_for(member).post("/growth/journey/")
    assert response.status_code == 302
    assert not JourneyMap.objects.exists()  # queued for the worker, not computed on the request


def test_a_rare_path_is_not_called_the_bottleneck_of_a_large_business():
    rare = journey_map.Transition("support", "idea_vote", people=3, median_hours=9000)
    common = journey_map.Transition("order", "referral", people=160, median_hours=2000)
    found = journey_map.Journey(people=200, steps=[], transitions=[rare, common], stalled=[])
    # 2% of 200 is 4 people: the three-person path is too rare to flag.
    assert found.enough == 4
    assert found.slowest == common
    small = journey_map.Journey(people=20, steps=[], transitions=[rare, common], stalled=[])
    assert small.enough == 3 and small.slowest == rare
