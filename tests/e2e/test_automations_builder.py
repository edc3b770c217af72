"""The step builder in a real browser: Maya builds "NPS a week after each order" with
form fields (no JSON), and choosing a kind of step shows its settings at once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from thrive.automations.models import Workflow
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory
from thrive.voice.services import create_survey

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_owner_builds_the_nps_workflow_with_the_step_builder(page, live_server):
    maya = AssociateFactory(username="maya", role=Role.OWNER)
    survey = create_survey(actor=maya, name="How was your order?", owner=maya)
    sign_in(page, "maya")
    page.goto("/automations/new/")
    page.get_by_label("Name", exact=True).fill("NPS a week after each order")
    page.get_by_label("Trigger", exact=True).select_option("order_placed")
    # The trigger's settings are redrawn for orders at once.
    expect(page.get_by_label("Orders of at least")).to_be_visible()
    for n in (4, 3, 2):  # the example's other steps
        page.get_by_role("button", name=f"Remove step {n}").click()
    expect(page.locator("select[data-step-kind]")).to_have_count(1)
    page.get_by_label("Days", exact=True).fill("7")
    page.get_by_label("Days", exact=True).press("Enter")  # updates; removes nothing
    expect(page.locator("select[data-step-kind]")).to_have_count(1)
    expect(page.get_by_label("Days", exact=True)).to_have_value("7")
    page.get_by_role("button", name="Add a step").click()
    # Choosing the kind redraws the row with that kind's settings (no button to press).
    page.locator("#step-2-kind").select_option("send_survey")
    page.get_by_label("NPS survey").select_option(str(survey.pk))
    page.get_by_role("button", name="Update preview").click()
    expect(page.get_by_text("Send the NPS survey “How was your order?”.")).to_be_visible()
    screenshot(page, "automations-step-builder")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved “NPS a week after each order”.").wait_for()
    workflow = Workflow.objects.get(name="NPS a week after each order")
    steps = list(workflow.steps.order_by("position").values_list("kind", "config"))
    assert steps == [("wait", {"days": 7}), ("send_survey", {"survey": survey.pk})]
    expect(page.get_by_text("Wait 7 days.")).to_be_visible()


@pytest.mark.parametrize("width", [1440, 390])
def test_an_owner_builds_an_if_else_rule_with_the_rule_builder_not_json(page, width):
    AssociateFactory(username="maya", role=Role.OWNER)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "maya")
    page.goto("/automations/new/")
    page.get_by_label("Name", exact=True).fill("Clients get a thank-you")
    for n in (4, 3, 2):  # keep only the example's first step (a wait)
        page.get_by_role("button", name=f"Remove step {n}").click()
    page.get_by_role("button", name="Add a step").click()
    page.locator("#step-2-kind").select_option("condition")
    builder = page.locator("[data-rule-builder][data-source='step-2-rules']")
    expect(builder).to_be_visible()
    expect(page.locator("textarea")).to_have_count(1)  # only the description: no JSON box
    builder.get_by_role("button", name="Add rule").click()
    builder.get_by_label("Field").select_option("stage")
    builder.get_by_label("Condition").select_option("in")
    builder.get_by_label("Client", exact=True).check()
    # The live count, as on the segment page (nobody is a client yet).
    expect(page.locator("#step-2-rules-count")).to_contain_text("0 people match now")
    page.locator("#step-2-exit-no").select_option("end")
    # The goal is built the same way.
    goal = page.locator("[data-rule-builder][data-source='id_goal']")
    goal.get_by_role("button", name="Add rule").click()
    goal.get_by_label("Field").select_option("stage")
    goal.get_by_label("Condition").select_option("in")
    goal.get_by_label("Advocate", exact=True).check()
    screenshot(page, f"automations-rule-builder-{width}")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved “Clients get a thank-you”.").wait_for()
    workflow = Workflow.objects.get(name="Clients get a thank-you")
    condition = workflow.steps.get(position=2)
    assert condition.kind == "condition"
    assert condition.config["rules"] == {
        "match": "all",
        "rules": [{"field": "stage", "op": "in", "value": ["client"]}],
    }
    assert condition.config["no"] == "end"
    assert workflow.goal == {
        "match": "all",
        "rules": [{"field": "stage", "op": "in", "value": ["advocate"]}],
    }
