"""Lifecycle rules: which events move a person, from which stages, and the recorded cause."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thrive.contacts import lifecycle
from thrive.contacts.models import Stage, StageCause, StageChange
from thrive.testing.factories import AssociateFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _last_change(person):  # type: ignore[no-untyped-def]
    return StageChange.objects.filter(person=person).order_by("-pk").first()


@pytest.mark.parametrize("stage", [Stage.SUSPECT, Stage.PROSPECT, Stage.LOST])
def test_an_order_makes_a_client_and_records_the_order_as_the_cause(stage: str) -> None:
    person = PersonFactory(stage=stage)
    at = timezone.now() - dt.timedelta(days=2)

    assert lifecycle.order_placed(person, at=at)

    change = _last_change(person)
    assert (change.from_stage, change.to_stage, change.cause) == (stage, "client", "order")
    assert person.stage_changed_at == at


def test_an_order_leaves_a_client_where_they_are() -> None:
    person = PersonFactory(stage=Stage.CLIENT)
    assert not lifecycle.order_placed(person, at=timezone.now())
    assert person.stage == Stage.CLIENT


@pytest.mark.parametrize("stage", [Stage.SUSPECT, Stage.LOST])
def test_a_booking_makes_a_prospect_with_the_booking_as_the_cause_and_no_associate(
    stage: str,
) -> None:
    person = PersonFactory(stage=stage)

    assert lifecycle.session_booked(person, at=timezone.now())

    change = _last_change(person)
    assert (change.to_stage, change.cause, change.actor) == (
        Stage.PROSPECT,
        StageCause.BOOKING,
        None,
    )
    assert change.note == "Booked a strategy session"


@pytest.mark.parametrize("stage", [Stage.PROSPECT, Stage.CLIENT])
def test_a_booking_never_moves_a_prospect_or_a_client(stage: str) -> None:
    person = PersonFactory(stage=stage)
    assert not lifecycle.session_booked(person, at=timezone.now())
    assert person.stage == stage


def test_an_import_records_who_ran_it() -> None:
    owner = AssociateFactory()
    person = PersonFactory(stage=Stage.SUSPECT)

    assert lifecycle.imported(person, Stage.LOST, actor=owner, note="From the old CRM")

    change = _last_change(person)
    assert (change.cause, change.actor, change.note) == ("import", owner, "From the old CRM")
