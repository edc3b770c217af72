"""A workflow (and a sequence) is judged on money against a matched control of people it
never enrolled, matched on earlier orders and given the same start."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from thrive.automations.models import Enrollment, Workflow
from thrive.automations.money import workflow_money
from thrive.conftest import client_for
from thrive.outreach.models import Sequence, SequenceEnrollment
from thrive.testing.factories import OrderFactory, PersonFactory

pytestmark = pytest.mark.django_db

START = timezone.now() - dt.timedelta(days=50)


def _buy(person, days: float, amount: str = "20.00") -> None:
    OrderFactory(person=person, ordered_at=START + dt.timedelta(days=days), total=Decimal(amount))


def test_a_workflow_is_compared_with_people_who_had_as_many_earlier_orders(read_only):
    workflow = Workflow.objects.create(name="Win back", trigger="manual")
    # Enrolled: 3 people with one earlier order each; 2 of them buy within 30 days.
    enrolled = [PersonFactory() for _ in range(3)]
    for person in enrolled:
        _buy(person, -40)
        Enrollment.objects.create(workflow=workflow, person=person, enrolled_at=START)
    _buy(enrolled[0], 5, "30.00")
    _buy(enrolled[1], 25, "10.00")
    # Candidates: one earlier order (2 people: they match), none or two (they do not).
    matching = [PersonFactory() for _ in range(2)]
    for person in matching:
        _buy(person, -10)
    _buy(matching[0], 3, "50.00")
    other = PersonFactory()
    _buy(other, -30)
    _buy(other, -20)
    report = workflow_money(workflow, days=30)
    assert report is not None and report.control_kind == "matched"
    row = report.rows[0]
    treated, control = row.uplift.treated, row.uplift.control
    assert (treated.people, treated.buyers, treated.revenue) == (3, 2, 40.0)
    # Only the two with one earlier order match (the people with none or two do not).
    assert (control.people, control.buyers, control.revenue) == (2, 1, 50.0)
    assert row.uplift.verdict == "too_few_people"
    page = client_for(read_only).get(f"/automations/{workflow.pk}/").content.decode()
    assert "Judged on money" in page and "Matched control" in page
    assert "same number of earlier orders" in page


def test_a_sequence_page_judges_its_enrolled_on_money(read_only):
    sequence = Sequence.objects.create(name="Welcome")
    person = PersonFactory()
    SequenceEnrollment.objects.create(sequence=sequence, person=person, enrolled_at=START)
    _buy(person, 2, "15.00")
    page = client_for(read_only).get(f"/outreach/sequences/{sequence.pk}/?days=14")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Judged on money" in body and '<option value="14" selected>' in body
    assert "Not enough people to tell" in body


def test_a_workflow_nobody_entered_has_no_money_section(read_only):
    workflow = Workflow.objects.create(name="Empty", trigger="manual")
    page = client_for(read_only).get(f"/automations/{workflow.pk}/").content.decode()
    assert "Judged on money" not in page
