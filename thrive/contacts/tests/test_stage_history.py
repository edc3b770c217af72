"""Stage history is written on every change, whatever the path."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thrive.commerce.services import LineInput, record_order
from thrive.conftest import client_for
from thrive.contacts import services
from thrive.contacts.models import Activity, ActivityKind, Person, Stage, StageCause, StageChange
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def history(person: Person) -> list[tuple[str, str, str]]:
    return list(
        StageChange.objects.filter(person=person)
        .order_by("changed_at", "id")
        .values_list("from_stage", "to_stage", "cause")
    )


def test_creating_a_person_records_their_first_stage_with_cause_and_actor(member):
    person = services.create_person(
        actor=member, first_name="Ada", email="ada@example.com", stage=Stage.PROSPECT
    )
    change = StageChange.objects.get(person=person)
    assert (change.from_stage, change.to_stage, change.cause) == ("", "prospect", "manual")
    assert change.actor == member


def test_change_stage_service_records_history_and_timeline(member):
    person = PersonFactory()
    assert services.change_stage(person, Stage.PROSPECT, actor=member, note="asked for a quote")
    assert history(person)[-1] == ("suspect", "prospect", "manual")
    entry = Activity.objects.filter(person=person, kind=ActivityKind.STAGE_CHANGE).first()
    assert entry is not None and entry.data["to"] == "prospect" and entry.associate == member


def test_changing_to_the_same_stage_records_nothing(member):
    person = PersonFactory()
    before = StageChange.objects.filter(person=person).count()
    assert services.change_stage(person, Stage.SUSPECT, actor=member) is False
    assert StageChange.objects.filter(person=person).count() == before


def test_a_plain_save_that_moves_the_stage_is_recorded_as_manual():
    person = PersonFactory()
    person.stage = Stage.CLIENT
    person.save()
    assert history(person)[-1] == ("suspect", "client", "manual")


def test_reloaded_person_saved_again_without_change_adds_no_history():
    person = PersonFactory()
    again = Person.objects.get(pk=person.pk)
    again.first_name = "Renamed"
    again.save()
    assert len(history(person)) == 1


def test_bulk_update_of_stage_is_refused_so_history_cannot_be_skipped():
    PersonFactory()
    with pytest.raises(TypeError, match="set_stage"):
        Person.objects.all().update(stage=Stage.CLIENT)


def test_first_order_makes_a_prospect_a_client_with_cause_order(member):
    person = PersonFactory(stage=Stage.PROSPECT)
    at = timezone.now() - dt.timedelta(days=2)
    record_order(
        person, actor=member, number="A-1", ordered_at=at, lines=[LineInput(1, "18.00", sku="X")]
    )
    person.refresh_from_db()
    assert person.stage == Stage.CLIENT
    last = StageChange.objects.filter(person=person).latest("id")
    assert (last.to_stage, last.cause, last.changed_at) == ("client", StageCause.ORDER, at)


def test_a_second_order_does_not_change_the_stage_again(member):
    person = PersonFactory()
    for n in (1, 2):
        record_order(person, actor=member, number=f"B-{n}", lines=[LineInput(1, "5.00")])
    assert [h[1] for h in history(person)] == ["suspect", "client"]


def test_admin_change_form_records_the_stage_change_with_the_associate(owner):
    person = PersonFactory(first_name="Kim", last_name="Lee", email="kim@example.com")
    client = client_for(owner)
    url = f"/admin/contacts/person/{person.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(
        {
            "stage": "advocate",
            "custom_fields": "{}",
            "first_seen_at_0": person.first_seen_at.strftime("%Y-%m-%d"),
            "first_seen_at_1": person.first_seen_at.strftime("%H:%M:%S"),
        }
    )
    data.pop("first_seen_at", None)
    for prefix in ("roles", "person_tags", "consents", "stage_history", "activities"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    last = StageChange.objects.filter(person=person).latest("id")
    assert (last.to_stage, last.cause, last.actor) == ("advocate", "manual", owner)
