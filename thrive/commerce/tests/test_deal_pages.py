"""Adding and changing deals in the workspace: stage moves recorded, clear errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from thrive.commerce.models import Deal, DealStage, DealStageChange
from thrive.conftest import client_for
from thrive.testing.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stages():
    return (
        DealStage.objects.create(name="Qualified", position=1, probability=Decimal("0.2")),
        DealStage.objects.create(name="Proposal", position=2, probability=Decimal("0.5")),
        DealStage.objects.create(name="Won", position=3, probability=Decimal("1"), is_won=True),
    )


def deal_post(stage_row, **overrides):
    data = {"title": "Office coffee", "person": "", "organization": "", "value": "1200.00",
            "currency": "USD", "stage": str(stage_row.pk), "expected_close": "2027-01-31",
            "owner": ""}  # fmt: skip
    data.update(overrides)
    return data


def test_a_deal_for_a_person_is_added_and_listed_on_their_page(member, stages):
    person = PersonFactory(first_name="Ann")
    client = client_for(member)
    response = client.post("/deals/new/", deal_post(stages[0], person=str(person.pk)))
    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.person, deal.value, deal.stage) == (person, Decimal("1200.00"), stages[0])
    assert list(DealStageChange.objects.values_list("from_stage", "to_stage", "actor")) == [
        (None, stages[0].pk, member.pk)
    ]
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "Office coffee" in page and f"/deals/{deal.pk}/edit/" in page


def test_moving_a_deal_records_the_stage_change_and_a_won_stage_closes_it(member, stages):
    org = OrganizationFactory(name="Blue Door")
    client = client_for(member)
    client.post("/deals/new/", deal_post(stages[0], organization=str(org.pk)))
    deal = Deal.objects.get()
    client.post(f"/deals/{deal.pk}/edit/", deal_post(stages[1], organization=str(org.pk)))
    client.post(f"/deals/{deal.pk}/edit/", deal_post(stages[2], organization=str(org.pk)))
    deal.refresh_from_db()
    assert deal.closed_at is not None
    moves = list(DealStageChange.objects.order_by("id").values_list("from_stage", "to_stage"))
    assert moves == [(None, stages[0].pk), (stages[0].pk, stages[1].pk),
                     (stages[1].pk, stages[2].pk)]  # fmt: skip
    page = client.get(f"/deals/{deal.pk}/edit/").content.decode()
    assert "Qualified → Proposal" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"value": "-5"}, "Cannot be negative."),
        ({"expected_close": "2027-02-31"}, "Enter a date as YYYY-MM-DD."),
        ({"person": "777777"}, "There is no person 777777"),
        ({"title": ""}, "This field is required."),
        ({"currency": "usd1"}, "Ensure this value has at most 3 characters"),
        ({}, "A deal is with a person or an organization"),
    ],
)
def test_bad_deal_input_is_named_and_nothing_is_saved(member, stages, overrides, message):
    response = client_for(member).post("/deals/new/", deal_post(stages[0], **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Deal.objects.exists()


def test_an_unknown_stage_is_a_field_error(member, stages):
    response = client_for(member).post(
        "/deals/new/", deal_post(stages[0], stage="999", person=str(PersonFactory().pk))
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_read_only_associates_cannot_add_or_change_deals(read_only, stages):
    person = PersonFactory()
    client = client_for(read_only)
    assert client.get("/deals/new/").status_code == 403
    response = client.post("/deals/new/", deal_post(stages[0], person=str(person.pk)))
    assert response.status_code == 403
    assert not Deal.objects.exists()
