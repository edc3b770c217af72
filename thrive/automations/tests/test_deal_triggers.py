"""Moving a deal on the pipeline fires the deal workflow triggers for the deal's person,
and the workflow editor describes them in words."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from thrive.automations import engine
from thrive.automations.definition import validate_trigger
from thrive.automations.models import Enrollment, TriggerKind, Workflow
from thrive.automations.words import describe_trigger
from thrive.commerce import deal_pipeline, services
from thrive.commerce.models import DealStage
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

STEPS = [{"kind": "wait", "days": 1}]


@pytest.fixture
def stages():
    return {
        "lead": DealStage.objects.create(name="Lead", position=1, probability=Decimal("0.1")),
        "proposal": DealStage.objects.create(
            name="Proposal", position=2, probability=Decimal("0.5")
        ),
        "won": DealStage.objects.create(
            name="Won", position=3, probability=Decimal("1"), is_won=True
        ),
        "lost": DealStage.objects.create(
            name="Lost", position=4, probability=Decimal("0"), is_lost=True
        ),
    }


def enrolled(workflow) -> set[int]:
    return set(Enrollment.objects.filter(workflow=workflow).values_list("person_id", flat=True))


def deal_for(person, stage, value="1000"):
    return services.save_deal(
        None, actor=None, title=f"Deal for {person.pk}", person=person, stage=stage,
        value=value, currency="USD",
    )  # fmt: skip


def test_a_move_to_the_named_stage_fires_deal_stage_changed_but_opening_a_deal_does_not(
    build, stages
):
    to_proposal = build(
        "deal_stage_changed", STEPS, trigger_config={"deal_stage": stages["proposal"].pk}
    )
    any_move = build("deal_stage_changed", STEPS)
    moved, opened_only, elsewhere = PersonFactory(), PersonFactory(), PersonFactory()
    deal_pipeline.move_deal(deal_for(moved, stages["lead"]), stages["proposal"], actor=None)
    deal_for(opened_only, stages["proposal"])
    deal_pipeline.move_deal(deal_for(elsewhere, stages["lead"]), stages["won"], actor=None)
    engine.process_activities()
    assert enrolled(to_proposal) == {moved.pk}
    assert enrolled(any_move) == {moved.pk, elsewhere.pk}


def test_deal_won_and_deal_lost_fire_for_their_outcome_with_their_settings(build, stages):
    won_big = build("deal_won", STEPS, trigger_config={"min_value": 500})
    lost_price = build("deal_lost", STEPS, trigger_config={"reason": "price"})
    big, small, lost, lost_other = (PersonFactory() for _ in range(4))
    deal_pipeline.move_deal(deal_for(big, stages["lead"], "900"), stages["won"], actor=None)
    deal_pipeline.move_deal(deal_for(small, stages["lead"], "100"), stages["won"], actor=None)
    deal_pipeline.move_deal(
        deal_for(lost, stages["lead"]), stages["lost"], actor=None, lost_reason="Price too high"
    )
    deal_pipeline.move_deal(
        deal_for(lost_other, stages["lead"]), stages["lost"], actor=None, lost_reason="Timing"
    )
    engine.process_activities()
    assert enrolled(won_big) == {big.pk}
    assert enrolled(lost_price) == {lost.pk}


def test_deal_triggers_read_in_words_and_refuse_an_unknown_stage(stages):
    workflow = Workflow(
        trigger=TriggerKind.DEAL_STAGE_CHANGED, trigger_config={"deal_stage": stages["won"].pk}
    )
    assert describe_trigger(workflow) == "When someone's deal moves to “Won”"
    won = Workflow(trigger=TriggerKind.DEAL_WON, trigger_config={"min_value": 500})
    assert describe_trigger(won) == "When someone's deal is won with a value of at least 500"
    lost = Workflow(trigger=TriggerKind.DEAL_LOST, trigger_config={})
    assert describe_trigger(lost) == "When someone's deal is lost"
    with pytest.raises(ValidationError, match="pipeline's stages"):
        validate_trigger("deal_stage_changed", {"deal_stage": 99999})
    with pytest.raises(ValidationError, match="min_value"):
        validate_trigger("deal_won", {"min_value": -3})


def test_the_workflow_editor_offers_the_deal_triggers_with_the_pipelines_stages(owner, stages):
    from thrive.automations.tests.test_step_builder import _form
    from thrive.conftest import client_for

    client = client_for(owner)
    page = client.get("/automations/new/").content.decode()
    assert "A deal moved to another stage" in page
    assert "A deal was won" in page and "A deal was lost" in page
    form = _form(**{
        "name": "Proposal follow-up", "trigger": "deal_stage_changed", "trigger_fields": "1",
        "trigger-deal_stage": str(stages["proposal"].pk),
        "step_count": "1", "step-1-kind": "add_tag", "step-1-tag": "proposal-sent",
    })  # fmt: skip
    assert client.post("/automations/new/", form).status_code == 302
    workflow = Workflow.objects.get(name="Proposal follow-up")
    assert workflow.trigger_config == {"deal_stage": stages["proposal"].pk}
    detail = client.get(f"/automations/{workflow.pk}/").content.decode()
    assert "When someone&#x27;s deal moves to “Proposal”" in detail or (
        "When someone's deal moves to “Proposal”" in detail
    )
    edit = client.get(f"/automations/{workflow.pk}/edit/").content.decode()
    assert 'name="trigger-deal_stage"' in edit and ">Proposal</option>" in edit
