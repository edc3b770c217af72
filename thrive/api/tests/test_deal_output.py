"""A deal read through the API says what happens next, why it was lost and which order it
became, as the board shows it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from thrive.commerce import services
from thrive.commerce.deal_pipeline import order_from_deal
from thrive.commerce.models import DealStage
from thrive.tasks.models import Task
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stages() -> dict[str, DealStage]:
    return {
        "lead": DealStage.objects.create(name="Lead", position=1, probability=Decimal("0.1")),
        "won": DealStage.objects.create(name="Won", position=2, probability=1, is_won=True),
        "lost": DealStage.objects.create(name="Lost", position=3, probability=0, is_lost=True),
    }


def test_a_deal_reads_with_its_next_step_and_due_date(owner_api, owner, stages):
    due = timezone.localdate() + dt.timedelta(days=3)
    deal = services.save_deal(
        None,
        actor=owner,
        title="Café fit-out",
        person=PersonFactory(),
        stage=stages["lead"],
        value="4200",
        currency="USD",
        owner=owner,
        next_step="Send the quote",
        next_step_due=due,
    )
    body = owner_api.get(f"/deals/{deal.pk}").json()
    assert body["next_step"] == "Send the quote"
    assert body["next_step_due"] == due.isoformat()
    assert body["lost_reason"] == ""
    assert body["order_id"] is None
    listed = owner_api.get("/deals").json()["items"]
    assert [(d["id"], d["next_step"]) for d in listed] == [(deal.pk, "Send the quote")]


def test_a_next_step_set_through_the_api_becomes_the_owners_task(owner_api, owner, stages):
    deal = services.save_deal(
        None,
        actor=owner,
        title="Grinders",
        person=PersonFactory(),
        stage=stages["lead"],
        value="800",
        currency="USD",
        owner=owner,
    )
    due = timezone.localdate() + dt.timedelta(days=2)
    answer = owner_api.send(
        "PATCH",
        f"/deals/{deal.pk}",
        {"next_step": "Call about the grinders", "next_step_due": str(due)},
    )
    assert answer.status_code == 200
    assert answer.json()["next_step"] == "Call about the grinders"
    assert answer.json()["next_step_due"] == due.isoformat()
    task = Task.objects.get(title="Call about the grinders")
    assert task.assignee == owner


def test_a_lost_deal_reads_with_its_reason(owner_api, owner, stages):
    deal = services.save_deal(
        None,
        actor=owner,
        title="Beans",
        person=PersonFactory(),
        stage=stages["lead"],
        value="300",
        currency="USD",
    )
    moved = owner_api.send(
        "PATCH",
        f"/deals/{deal.pk}",
        {"stage_id": stages["lost"].pk, "lost_reason": "Went with a rival"},
    )
    assert moved.status_code == 200
    assert moved.json()["lost_reason"] == "Went with a rival"
    assert owner_api.get(f"/deals/{deal.pk}").json()["lost_reason"] == "Went with a rival"


def test_a_won_deal_reads_with_the_order_it_became(owner_api, owner, stages):
    deal = services.save_deal(
        None,
        actor=owner,
        title="Wholesale",
        person=PersonFactory(),
        stage=stages["won"],
        value="1500",
        currency="USD",
    )
    order = order_from_deal(deal, actor=owner)
    body = owner_api.get(f"/deals/{deal.pk}").json()
    assert body["order_id"] == order.pk
    linked = owner_api.get(f"/orders/{body['order_id']}")
    assert linked.status_code == 200
    assert linked.json()["person_id"] == deal.person_id
