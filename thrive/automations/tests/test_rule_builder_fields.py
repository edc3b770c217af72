"""Conditions, goals and a trigger's "Matching" are edited without JSON: the segment rule
builder writes a hidden field per condition and for the goal, and matching is rows of name
and value. The server still checks every rule and answers bad ones with a field error."""

from __future__ import annotations

import json

import pytest
from django.http import QueryDict

from thrive.automations import step_builder
from thrive.automations.models import Step, Workflow
from thrive.conftest import client_for

pytestmark = pytest.mark.django_db

TWO_ORDERS = {"match": "all", "rules": [{"field": "orders_count", "op": "gte", "value": 2}]}


def _form(**rows: str) -> dict[str, str]:
    base = {"name": "Regulars", "description": "", "trigger": "order_placed",
            "trigger_config": "", "reentry": "never", "goal": ""}  # fmt: skip
    base.update(rows)
    return base


def test_the_editor_mounts_the_rule_builder_on_hidden_fields_for_goal_and_conditions(owner):
    page = client_for(owner).get("/automations/new/").content.decode()
    # The example's If/else step and the goal: hidden fields with a builder, no JSON box.
    assert '<input type="hidden" name="step-2-rules" id="step-2-rules"' in page
    assert 'data-rule-builder data-source="step-2-rules"' in page
    assert '<input type="hidden" name="goal" id="id_goal"' in page
    assert 'id="segment-registry"' in page and "segments/segments.js" in page
    assert "Rules (JSON" not in page and "Goal (segment rules, JSON" not in page
    assert "Matching (JSON)" not in page


def test_rules_posted_by_the_builder_are_saved_on_the_if_else_step_and_the_goal(owner):
    client = client_for(owner)
    response = client.post("/automations/new/", _form(**{
        "goal": json.dumps({"match": "any", "rules": [
            {"field": "stage", "op": "in", "value": ["advocate"]}]}),
        "step_count": "2",
        "step-1-kind": "condition", "step-1-rules": json.dumps(TWO_ORDERS, indent=2),
        "step-1-exit-yes": "2", "step-1-exit-no": "end",
        "step-2-kind": "add_tag", "step-2-tag": "Regular",
    }))  # fmt: skip
    assert response.status_code == 302
    workflow = Workflow.objects.get(name="Regulars")
    condition = Step.objects.get(workflow=workflow, position=1)
    assert condition.config["rules"] == TWO_ORDERS
    assert condition.config["yes"] == 2 and condition.config["no"] == "end"
    assert workflow.goal == {"match": "any", "rules": [
        {"field": "stage", "op": "in", "value": ["advocate"]}]}  # fmt: skip


def test_bad_rules_from_the_builder_are_a_clear_field_error_not_a_server_error(owner):
    client = client_for(owner)
    bad = {"match": "all", "rules": [{"field": "shoe_size", "op": "gte", "value": 2}]}
    response = client.post("/automations/new/", _form(**{
        "goal": json.dumps(bad),
        "step_count": "1", "step-1-kind": "condition", "step-1-rules": json.dumps(bad),
    }))  # fmt: skip
    assert response.status_code == 200
    assert not Workflow.objects.exists()
    page = response.content.decode()
    assert "shoe_size" in page and "Step 1" in page
    # Broken JSON in the hidden field (a tampered post) is refused the same way.
    response = client.post("/automations/new/", _form(**{
        "goal": "{not json", "step_count": "1", "step-1-kind": "add_tag", "step-1-tag": "x",
    }))  # fmt: skip
    assert response.status_code == 200 and "not valid JSON" in response.content.decode()
    assert not Workflow.objects.exists()


def test_an_empty_goal_from_the_builder_means_no_goal(owner):
    client = client_for(owner)
    response = client.post("/automations/new/", _form(**{
        "goal": "", "step_count": "1", "step-1-kind": "add_tag", "step-1-tag": "x",
    }))  # fmt: skip
    assert response.status_code == 302
    assert not Workflow.objects.get(name="Regulars").goal


def test_trigger_matching_is_rows_of_name_and_value(owner):
    posted = QueryDict(mutable=True)
    posted.setlist("trigger-data-key", ["status", "", "votes"])
    posted.setlist("trigger-data-value", ["done", "", "3"])
    config = step_builder.parse_trigger(posted, "form_submitted")
    assert config == {"data": {"status": "done", "votes": 3}}
    rows = {r["key"]: r for r in step_builder.trigger_rows("form_submitted", config)}
    # The saved pairs and one empty row to add another.
    assert rows["data"]["pairs"] == [("status", "done"), ("votes", "3"), ("", "")]


def test_a_matching_value_without_a_name_is_refused(owner):
    client = client_for(owner)
    response = client.post("/automations/new/", _form(**{
        "trigger": "form_submitted", "trigger_fields": "1",
        "trigger-data-key": "", "trigger-data-value": "done",
        "step_count": "1", "step-1-kind": "add_tag", "step-1-tag": "x",
    }))  # fmt: skip
    assert response.status_code == 200 and not Workflow.objects.exists()
    assert "“data” is an object" in response.content.decode()
