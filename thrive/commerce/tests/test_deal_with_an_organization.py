"""A deal with only an organization writes its moves to the organization's primary contact
(the first person recorded at it), so deal workflows fire for a company's deals too."""

from __future__ import annotations

from decimal import Decimal

import pytest

from thrive.automations import engine
from thrive.automations import services as automations
from thrive.automations.models import Enrollment
from thrive.commerce import deal_pipeline, services
from thrive.commerce.models import DealStage, DealStageChange
from thrive.contacts.models import Activity, ActivityKind
from thrive.testing.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stages() -> dict[str, DealStage]:
    return {
        "lead": DealStage.objects.create(name="Lead", position=1, probability=Decimal("0.1")),
        "won": DealStage.objects.create(name="Won", position=2, probability=1, is_won=True),
    }


def _company_deal(org, stage):
    return services.save_deal(
        None, actor=None, title="Café fit-out", organization=org, stage=stage, value="5000",
        currency="USD",
    )  # fmt: skip


def test_a_company_deal_won_fires_deal_won_for_its_primary_contact(owner, stages):
    workflow = automations.save_workflow(
        actor=owner, name="Thank the company", trigger="deal_won",
        steps=[{"kind": "wait", "days": 1}],
    )  # fmt: skip
    automations.activate_workflow(workflow, actor=owner)
    org = OrganizationFactory(name="Meadowlark Bistro")
    first = PersonFactory(organization=org, first_name="Wei")
    PersonFactory(organization=org, first_name="Ann")
    deal = _company_deal(org, stages["lead"])
    deal_pipeline.move_deal(deal, stages["won"], actor=None)
    engine.process_activities()
    assert set(Enrollment.objects.values_list("person_id", flat=True)) == {first.pk}
    entries = Activity.objects.filter(kind=ActivityKind.DEAL).order_by("pk")
    assert [(a.person_id, a.subject) for a in entries] == [
        (first.pk, "Deal “Café fit-out” opened at Lead (with Meadowlark Bistro)"),
        (first.pk, "Deal “Café fit-out” won: 5000.00 USD (with Meadowlark Bistro)"),
    ]
    assert entries.last().data["organization"] == org.pk


def test_a_company_with_nobody_recorded_keeps_only_the_stage_history(stages):
    org = OrganizationFactory(name="Nobody Yet Ltd")
    deal = _company_deal(org, stages["lead"])
    deal_pipeline.move_deal(deal, stages["won"], actor=None)
    assert DealStageChange.objects.filter(deal=deal).count() == 2
    assert not Activity.objects.filter(kind=ActivityKind.DEAL).exists()
