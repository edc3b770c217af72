"""The faster read paths of the people list and the ecosystem map give exactly what the
plain queries give: the same people, in the same order, with the same figures.

- A people-list page picks its people by id and then reads their columns
  (``people_page``), instead of reading every column of every row it skips.
- The ecosystem map's stage counts subtract the staff per stage instead of filtering
  them out person by person.
- The map's vendor, partner and referral-partner lists read the newest activities first
  (``_latest_touched``) instead of asking every holder for their latest activity.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone

from thrive.contacts import queries
from thrive.contacts.forms import SORTS
from thrive.contacts.models import Activity, Person, PersonRole, RelationshipRole, Stage
from thrive.contacts.queries import (
    ecosystem_counts,
    people_matching,
    people_page,
    role_activity,
    with_list_columns,
)
from thrive.testing.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def _touch(person: Person, minutes_ago: int, **extra) -> Activity:
    return Activity.objects.create(
        person=person, kind="note", occurred_at=NOW - dt.timedelta(minutes=minutes_ago), **extra
    )


@pytest.fixture
def crowd() -> list[Person]:
    """Twenty-three people with shared surnames (ties broken by id), some at a company,
    some with activities, one whose latest activity was corrected and one retracted."""
    rng = random.Random(7)
    people = []
    for i in range(23):
        person = PersonFactory(
            first_name=rng.choice(["Ann", "Bo", "Cy"]),
            last_name=rng.choice(["Oak", "Elm", "Ash"]),
            stage=rng.choice([Stage.SUSPECT, Stage.PROSPECT, Stage.CLIENT]),
            organization=OrganizationFactory() if i % 3 == 0 else None,
        )
        for _ in range(i % 4):
            _touch(person, rng.randint(1, 5000))
        people.append(person)
    newest = _touch(people[1], 0)
    _touch(people[1], 0, supersedes=newest, retracted=True)  # its latest no longer stands
    return people


def _plain_page(people, per_page: int, number: int) -> list[tuple]:
    rows = with_list_columns(people)[(number - 1) * per_page : number * per_page]
    return [(p.pk, p.organization_id, p.last_activity_at) for p in rows]


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_a_page_picked_by_id_shows_the_people_and_columns_of_the_plain_page(crowd, sort):
    people = people_matching({}).order_by(*SORTS[sort])
    pages = 0
    for number in (1, 2, 3, 4):
        page = people_page(people, 7, number)
        shown = [(p.pk, p.organization_id, p.last_activity_at) for p in page.object_list]
        assert shown == _plain_page(people, 7, min(number, 4)), (sort, number)
        assert page.paginator.count == 23
        pages += 1
    assert people_page(people, 7, 99).number == 4  # past the end: the last page
    assert people_page(people, 7, "x").number == 1
    assert people_page(Person.objects.none(), 7, 1).object_list == []


def test_a_page_picked_by_id_shows_the_tags_and_latest_standing_activity(crowd, member):
    from thrive.contacts import services

    services.add_tag(crowd[1], "zeta", actor=member)
    services.add_tag(crowd[1], "alpha", actor=member)
    people = people_matching({}).order_by("id")
    row = next(p for p in people_page(people, 50, 1).object_list if p.pk == crowd[1].pk)
    assert [t.name for t in row.tags.all()] == ["alpha", "zeta"]
    # The retracted correction of its newest note does not count as a touch.
    standing = Activity.objects.filter(person=crowd[1]).order_by("-occurred_at").first()
    assert row.last_activity_at == (standing.occurred_at if standing else None)


def test_stage_counts_leave_out_the_staff_as_filtering_them_did(crowd, member):
    staff = crowd[:3]
    for person in staff:
        PersonRole.objects.create(person=person, role=RelationshipRole.ASSOCIATE)
    PersonRole.objects.create(person=crowd[5], role=RelationshipRole.VENDOR)
    customers = Person.objects.exclude(pk__in=[p.pk for p in staff])
    expected = {stage.value: 0 for stage in Stage}
    for row in customers.values("stage").annotate(n=Count("id")).order_by():
        expected[row["stage"]] = row["n"]
    counts = ecosystem_counts()
    assert {stage.value: counts[stage.value] for stage in Stage} == expected
    assert sum(expected.values()) == 20
    assert counts[RelationshipRole.ASSOCIATE] == 3 and counts[RelationshipRole.VENDOR] == 1


def _plain_role_list(role: str, limit: int) -> list[tuple]:
    latest = (
        Activity.objects.filter(person=OuterRef("pk"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    people = (
        Person.objects.filter(roles__role=role)
        .annotate(last_activity_at=Subquery(latest))
        .order_by(F("last_activity_at").desc(nulls_last=True), "id")[:limit]
    )
    return [(p.pk, p.last_activity_at) for p in people]


def _shown(role: str) -> list[tuple]:
    return [(p.pk, p.last_activity_at) for p in role_activity()[role]]


@pytest.mark.parametrize("window", [3, 5, 8, 12, 64])
def test_role_lists_read_from_the_newest_activities_match_every_holders_latest(
    crowd, monkeypatch, window
):
    """Whatever the window: all of it holders (none never touched, ties on the edge),
    fewer than eight holders seen in it, or a window larger than the timeline."""
    monkeypatch.setattr(queries, "TOUCH_WINDOW", window)
    rng = random.Random(window)
    vendors = crowd[:14]
    for person in vendors:
        PersonRole.objects.create(person=person, role=RelationshipRole.VENDOR)
    for person in crowd[10:]:
        PersonRole.objects.create(person=person, role=RelationshipRole.PARTNER)
    # Ties: three vendors touched at the same moment, around the eighth place.
    for person in vendors[4:7]:
        _touch(person, 3)
    for person in crowd[12:16]:
        _touch(person, rng.randint(0, 20))
    for role in (RelationshipRole.VENDOR, RelationshipRole.PARTNER):
        assert _shown(role) == _plain_role_list(role, 8), (role, window)
    assert len(_shown(RelationshipRole.VENDOR)) == 8


def test_role_lists_fill_with_holders_never_touched_by_id(monkeypatch):
    touched, quiet_a, quiet_b = PersonFactory(), PersonFactory(), PersonFactory()
    for person in (quiet_b, touched, quiet_a):
        PersonRole.objects.create(person=person, role=RelationshipRole.REFERRAL_PARTNER)
    for first in list(Activity.objects.all()):  # the stage each was created at: retracted
        Activity.objects.create(person=first.person, kind="note", supersedes=first, retracted=True)
    _touch(touched, 10)
    role = RelationshipRole.REFERRAL_PARTNER
    assert _shown(role) == _plain_role_list(role, 8)
    assert [pk for pk, _ in _shown(role)] == [touched.pk, *sorted([quiet_a.pk, quiet_b.pk])]


def test_role_lists_ask_every_holder_when_the_window_cannot_tell(crowd, monkeypatch):
    """A window filled by one busy holder names fewer than eight: the plain query answers."""
    monkeypatch.setattr(queries, "TOUCH_WINDOW", 4)
    for person in crowd[:10]:
        PersonRole.objects.create(person=person, role=RelationshipRole.VENDOR)
        _touch(person, 500)
    for minutes in range(6):
        _touch(crowd[0], -1000 - minutes)  # later than anything else on the timeline
    assert queries._latest_touched(RelationshipRole.VENDOR, 8) is None
    assert _shown(RelationshipRole.VENDOR) == _plain_role_list(RelationshipRole.VENDOR, 8)
    assert _shown(RelationshipRole.VENDOR)[0][0] == crowd[0].pk


def test_role_lists_never_trust_holders_tied_with_the_windows_last_row(monkeypatch):
    """Six vendors touched recently, four tied just before: a window that ends inside
    the tie cannot tell which of the four come first (by id), so the plain query answers."""
    vendors = [PersonFactory() for _ in range(10)]
    for person in vendors:
        PersonRole.objects.create(person=person, role=RelationshipRole.VENDOR)
    for first in list(Activity.objects.all()):  # the stage each was created at: retracted
        Activity.objects.create(person=first.person, kind="note", supersedes=first, retracted=True)
    for minutes, person in enumerate(vendors[:6]):
        _touch(person, -100 - minutes)
    for person in vendors[6:]:  # tied, written in id order
        _touch(person, -50)
    monkeypatch.setattr(queries, "TOUCH_WINDOW", 8)
    expected = _plain_role_list(RelationshipRole.VENDOR, 8)
    newest_first = [p.pk for p in reversed(vendors[:6])]
    assert [pk for pk, _ in expected] == [*newest_first, vendors[6].pk, vendors[7].pk]
    assert _shown(RelationshipRole.VENDOR) == expected
