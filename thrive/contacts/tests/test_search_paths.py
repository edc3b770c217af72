"""The people search finds the same people whichever way the database is asked.

PostgreSQL answers a search word as a UNION of one indexed query per place it may match
(``search_ids``); SQLite keeps the OR of the same tests (``search_q``). Both must pick
exactly the people a person would: by first name, last name, email, company or tag, any
case, each word narrowing the list.
"""

from __future__ import annotations

import pytest
from django.db import connection

from thrive.conftest import client_for
from thrive.contacts import services
from thrive.contacts.models import Person
from thrive.contacts.queries import people_matching, search_ids, search_q
from thrive.testing.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(member) -> dict[str, Person]:
    made = {
        "first": PersonFactory(first_name="Marigold", last_name="Stone", email="a1@x.test"),
        "last": PersonFactory(first_name="Ann", last_name="Vanmarigoldsen", email="a2@x.test"),
        "email": PersonFactory(first_name="Bo", last_name="Ek", email="MariGold.bo@y.test"),
        "company": PersonFactory(
            first_name="Cy",
            last_name="Oak",
            email="a3@x.test",
            organization=OrganizationFactory(name="The Marigold Café"),
        ),  # fmt: skip
        "tag": PersonFactory(first_name="Di", last_name="Elm", email="a4@x.test"),
        "tag-in-word": PersonFactory(first_name="Ed", last_name="Ash", email="a5@x.test"),
        "nobody": PersonFactory(first_name="Fay", last_name="Birch", email=None),
        "two words": PersonFactory(first_name="Marigold", last_name="Birch", email="a6@x.test"),
    }
    services.add_tag(made["tag"], "marigold", actor=member)
    # A tag matches whole (any case), never part of its name.
    services.add_tag(made["tag-in-word"], "marigolds", actor=member)
    return made


def names(people) -> set[str]:
    return {f"{p.first_name} {p.last_name}" for p in people}


def test_one_word_matches_name_email_company_and_whole_tag(people):
    expected = {"Marigold Stone", "Ann Vanmarigoldsen", "Bo Ek", "Cy Oak", "Di Elm",
                "Marigold Birch"}  # fmt: skip
    assert names(people_matching({"q": "MARIGOLD"})) == expected
    assert names(Person.objects.filter(pk__in=search_ids("marigold"))) == expected
    assert names(Person.objects.filter(search_q("marigold"))) == expected


def test_each_word_narrows_the_search(people):
    assert names(people_matching({"q": "marigold birch"})) == {"Marigold Birch"}
    assert names(people_matching({"q": "birch"})) == {"Fay Birch", "Marigold Birch"}
    assert list(people_matching({"q": "marigold nothing-like-it"})) == []


def test_the_union_and_the_or_agree_on_every_word(people):
    for word in ("mari", "gold", "x.test", "y.TEST", "oak", "café", "ek", "zz", "@", "a"):
        by_union = set(Person.objects.filter(pk__in=search_ids(word)).values_list("pk"))
        by_or = set(Person.objects.filter(search_q(word)).values_list("pk"))
        assert by_union == by_or, word


def test_the_list_counts_the_people_it_shows(people, member):
    response = client_for(member).get("/people/", {"q": "marigold"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 6
    assert names(response.context["page"].object_list) == names(people_matching({"q": "marigold"}))


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_has_the_trigram_indexes_the_search_relies_on():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'contacts_person' "
            "AND indexdef LIKE '%%gin_trgm_ops%%' ORDER BY indexname"
        )
        found = [row[0] for row in cursor.fetchall()]
    assert found == ["person_email_trgm_idx", "person_first_name_trgm_idx",
                     "person_last_name_trgm_idx"]  # fmt: skip
