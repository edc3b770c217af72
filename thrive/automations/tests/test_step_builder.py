"""The step builder: an owner builds and edits a workflow's steps with form fields, and
the same validator as the JSON editor checks them."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from thrive.automations import step_builder
from thrive.automations.models import Step, Workflow
from thrive.conftest import client_for
from thrive.voice.services import create_survey

pytestmark = pytest.mark.django_db


def _form(**rows: str) -> dict[str, str]:
    base = {"name": "NPS after orders", "description": "", "trigger": "order_placed",
            "trigger_config": "", "reentry": "never", "goal": ""}  # fmt: skip
    base.update(rows)
    return base


def test_a_new_workflow_opens_with_the_builder_not_json(owner):
    page = client_for(owner).get("/automations/new/").content.decode()
    assert 'name="step_count"' in page and 'name="step-1-kind"' in page
    assert '<textarea name="steps"' not in page
    assert "Edit the steps as JSON instead" in page


def test_an_owner_builds_wait_then_survey_with_fields(owner):
    survey = create_survey(actor=owner, name="How was your order?", owner=owner)
    client = client_for(owner)
    response = client.post("/automations/new/", _form(**{
        "step_count": "2",
        "step-1-kind": "wait", "step-1-days": "7", "step-1-hours": "",
        "step-2-kind": "send_survey", "step-2-survey": str(survey.pk),
        "step-2-exit-next": "",
    }))  # fmt: skip
    workflow = Workflow.objects.get(name="NPS after orders")
    assert response.status_code == 302 and response["Location"] == f"/automations/{workflow.pk}/"
    steps = list(Step.objects.filter(workflow=workflow).values_list("kind", "config"))
    assert steps == [("wait", {"days": 7}), ("send_survey", {"survey": survey.pk})]


def test_changing_the_kind_shows_its_settings_without_saving(owner):
    survey = create_survey(actor=owner, name="Spring", owner=owner)
    page = client_for(owner).post("/automations/new/", _form(**{
        "step_count": "1", "step-1-kind": "send_survey", "step-1-days": "3", "preview": "1",
    })).content.decode()  # fmt: skip
    assert not Workflow.objects.exists()
    assert 'name="step-1-survey"' in page and f'<option value="{survey.pk}">Spring' in page
    assert 'name="step-1-days"' not in page  # a wait's setting is gone with the wait


def test_mistakes_come_back_as_step_messages_with_the_rows_kept(owner):
    page = client_for(owner).post("/automations/new/", _form(**{
        "step_count": "2",
        "step-1-kind": "wait",
        "step-2-kind": "create_task", "step-2-title": "Call {first_name}",
        "step-2-due_in_days": "two",
    })).content.decode()  # fmt: skip
    assert not Workflow.objects.exists()
    assert "Step 1: say how long to wait (days, hours or minutes)." in page
    assert "Step 2: “due_in_days” must be a number from 0 to 3650." in page
    assert 'value="Call {first_name}"' in page


def test_removing_a_step_keeps_the_other_steps_targets():
    steps = [
        {"kind": "condition", "segment": 1, "yes": 3, "no": 4},
        {"kind": "add_tag", "tag": "A", "next": "end"},
        {"kind": "add_tag", "tag": "B", "next": 2},
        {"kind": "add_tag", "tag": "C"},
    ]
    assert step_builder.apply_action(steps, "remove:2") == [
        {"kind": "condition", "segment": 1, "yes": 2, "no": 3},
        {"kind": "add_tag", "tag": "B"},  # pointed at the removed step: now the next one
        {"kind": "add_tag", "tag": "C"},
    ]
    added = step_builder.apply_action(steps, "add")
    assert len(added) == 5 and added[-1] == {"kind": "wait", "days": 1}


def test_adding_a_row_from_the_page_keeps_what_was_typed(owner):
    page = client_for(owner).post("/automations/new/", _form(**{
        "step_count": "1", "step-1-kind": "add_tag", "step-1-tag": "Regular",
        "step_action": "add",
    })).content.decode()  # fmt: skip
    assert not Workflow.objects.exists()
    assert 'value="Regular"' in page and 'name="step-2-kind"' in page


def test_rows_read_back_what_they_show(owner):
    steps = [
        {"kind": "condition", "rules": {"match": "all", "rules": []}, "yes": 2, "no": "end"},
        {"kind": "wait_until", "time": "09:00", "after_days": 1},
        {"kind": "draft_email", "template": 4, "associate": owner.pk, "timeout_days": 2.5,
         "sent": "end"},
    ]  # fmt: skip
    posted = {"step_count": "3"}
    for row in step_builder.view_rows(steps):
        posted[f"step-{row['n']}-kind"] = row["kind"]
        for field in row["fields"]:
            posted[f"step-{row['n']}-{field['key']}"] = field["value"]
        for exit_ in row["exits"]:
            posted[f"step-{row['n']}-exit-{exit_['name']}"] = exit_["value"]
    data = QueryDict(mutable=True)
    data.update(posted)
    assert step_builder.parse(data) == steps


def test_a_reader_cannot_use_the_builder(read_only):
    response = client_for(read_only).post("/automations/new/", _form(**{
        "step_count": "1", "step-1-kind": "wait", "step-1-days": "1",
    }))  # fmt: skip
    assert response.status_code == 403 and not Workflow.objects.exists()


def test_the_trigger_settings_are_fields_too(owner):
    survey = create_survey(actor=owner, name="After your order", owner=owner)
    client = client_for(owner)
    page = client.get("/automations/new/").content.decode()
    assert 'name="trigger-to"' in page and "Trigger settings (JSON)" not in page
    form = _form(**{
        "name": "Detractors", "trigger": "survey_answered", "trigger_fields": "1",
        "trigger-survey": str(survey.pk), "trigger-score_max": "6", "trigger-to": "client",
        "step_count": "1", "step-1-kind": "add_tag", "step-1-tag": "unhappy",
    })  # fmt: skip
    assert client.post("/automations/new/", form).status_code == 302
    workflow = Workflow.objects.get(name="Detractors")
    # A setting of another trigger (left from before the switch) is dropped.
    assert workflow.trigger_config == {"survey": survey.pk, "score_max": 6}

    stage = QueryDict(mutable=True)
    stage.setlist("trigger-to", ["client", "advocate"])
    assert step_builder.parse_trigger(stage, "stage_changed") == {"to": ["client", "advocate"]}
    rows = {r["key"]: r for r in step_builder.trigger_rows("stage_changed", {"to": ["client"]})}
    assert rows["to"]["values"] == ["client"] and rows["to"]["multiple"]
    assert "data" in rows  # activity triggers may match on the event's data


def test_a_bad_trigger_value_comes_back_with_its_message(owner):
    page = client_for(owner).post("/automations/new/", _form(**{
        "trigger": "survey_answered", "trigger_fields": "1", "trigger-score_min": "12",
        "step_count": "1", "step-1-kind": "add_tag", "step-1-tag": "x",
    })).content.decode()  # fmt: skip
    assert not Workflow.objects.exists()
    assert "“score_min” is a whole number from 0 to 10." in page
    assert 'name="trigger-score_min" type="number" step="any" value="12"' in page
