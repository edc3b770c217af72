"""The workflow pages, the person page's "Why did this happen?", and who may change what."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.automations.models import ActionLog, Enrollment, Workflow
from thrive.automations.tests.conftest import run
from thrive.conftest import client_for
from thrive.contacts import services as contacts
from thrive.core.roles import Role
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

STEPS = [
    {"kind": "wait", "days": 7},
    {"kind": "condition", "rules": {"match": "all", "rules": [
        {"field": "tag", "op": "has", "value": "VIP"}]}, "yes": 3, "no": 4},
    {"kind": "add_tag", "tag": "Gold", "next": "end"},
    {"kind": "create_task", "title": "Call {{ person.first_name }}", "associate": "owner",
     "task_kind": "call"},
]  # fmt: skip


def form(**overrides):
    data = {"name": "Welcome", "trigger": "stage_changed", "trigger_config": '{"to": ["client"]}',
            "reentry": "never", "steps": json.dumps(STEPS)}  # fmt: skip
    return {**data, **overrides}


def test_the_step_by_step_view_reads_as_sentences_with_counts(build, owner):
    workflow = build("stage_changed", STEPS, trigger_config={"to": ["client"]}, name="Welcome")
    for person in PersonFactory.create_batch(2):
        contacts.change_stage(person, "client", actor=None)
    run()
    body = client_for(owner).get(f"/automations/{workflow.pk}/").content.decode()
    assert "When someone becomes a client" in body
    assert "Wait 7 days" in body
    assert "If they match: Has the tag “VIP”" in body
    assert "go to step 3; otherwise go to step 4" in body
    assert "Create a task (call) for" in body
    assert "2 here now" in body


def test_the_list_shows_people_per_step_in_a_fixed_number_of_queries(build, owner):
    client = client_for(owner)
    build("manual", [{"kind": "wait", "days": 1}])
    client.get("/automations/")
    with CaptureQueriesContext(connection) as few:
        client.get("/automations/")
    for _ in range(5):
        workflow = build("manual", [{"kind": "wait", "days": 1}])
        Enrollment.objects.create(workflow=workflow, person=PersonFactory())
    with CaptureQueriesContext(connection) as many:
        body = client.get("/automations/").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "step 1: 1" in body


@pytest.mark.parametrize("role", [Role.OWNER, Role.MEMBER])
def test_editors_create_preview_and_switch_on(role, owner, member):
    user = owner if role == Role.OWNER else member
    client = client_for(user)
    preview = client.post("/automations/new/", form(preview="1"))
    assert preview.status_code == 200 and not Workflow.objects.exists()
    assert "Wait 7 days" in preview.content.decode()
    saved = client.post("/automations/new/", form())
    workflow = Workflow.objects.get()
    assert saved["Location"] == f"/automations/{workflow.pk}/" and workflow.status == "draft"
    client.post(f"/automations/{workflow.pk}/status", {"action": "activate"})
    workflow.refresh_from_db()
    assert workflow.status == "active"
    person = PersonFactory(email="ann@example.com")
    client.post(f"/automations/{workflow.pk}/enroll", {"person": "ann@example.com"})
    assert Enrollment.objects.filter(workflow=workflow, person=person).exists()


def test_invalid_steps_come_back_with_messages(owner):
    response = client_for(owner).post("/automations/new/", form(steps='[{"kind": "wait"}]'))
    assert response.status_code == 200
    assert "Step 1: say how long to wait" in response.content.decode()
    bad_json = client_for(owner).post("/automations/new/", form(steps="[{"))
    assert "not valid JSON" in bad_json.content.decode()


def test_read_only_sees_but_every_change_is_refused(build, read_only):
    workflow = build("manual", [{"kind": "wait", "days": 1}])
    client = client_for(read_only)
    assert client.get("/automations/").status_code == 200
    assert client.get(f"/automations/{workflow.pk}/").status_code == 200
    assert client.post("/automations/new/", form()).status_code == 403
    assert client.get("/automations/new/").status_code == 403
    assert client.post(f"/automations/{workflow.pk}/edit/", form()).status_code == 403
    assert client.post(f"/automations/{workflow.pk}/status", {"action": "pause"}).status_code == 403
    person = PersonFactory()
    assert (
        client.post(f"/automations/{workflow.pk}/enroll", {"person": person.pk}).status_code == 403
    )
    workflow.refresh_from_db()
    assert workflow.status == "active" and not Enrollment.objects.exists()


def test_every_action_is_explained_and_shown_on_the_person_page(build, owner):
    steps = [
        {"kind": "condition", "rules": {"match": "all", "rules": [
            {"field": "stage", "op": "in", "value": ["client"]}]}, "no": "end"},
        {"kind": "add_tag", "tag": "Welcomed"},
        {"kind": "remove_tag", "tag": "Lead"},
        {"kind": "change_stage", "stage": "advocate"},
        {"kind": "create_task", "title": "Say hi to {{ person.first_name }}"},
        {"kind": "notify", "associate": "owner",
         "message": "{{ person.full_name }} is an advocate now"},
    ]  # fmt: skip
    workflow = build("stage_changed", steps, trigger_config={"to": ["client"]}, name="Welcome")
    person = PersonFactory(first_name="Ann")
    contacts.add_tag(person, "Lead", actor=None)
    contacts.change_stage(person, "client", actor=None)
    trigger_id = person.activities.filter(kind="stage_change").latest("pk").pk
    run()
    logs = list(ActionLog.objects.filter(person=person).order_by("pk"))
    assert [log.step_kind for log in logs] == [
        "condition", "add_tag", "remove_tag", "change_stage", "create_task", "notify",
    ]  # fmt: skip
    for log in logs:
        assert log.explanation["workflow"]["id"] == workflow.pk
        assert log.explanation["step"]["position"] == log.position
        assert log.explanation["trigger"]["activity"] == trigger_id
        assert f"activity #{trigger_id}" in log.summary
    for log in logs[1:]:  # the rule values that let each action through
        (condition,) = log.explanation["conditions"]
        assert condition["result"] is True and condition["rules"]["rules"][0]["value"] == ["client"]
        assert "Step 1 checked whether Stage is any of Client: yes" in log.summary
    body = client_for(owner).get(f"/people/{person.pk}/").content.decode()
    assert "Why did this happen?" in body and "Moved to Advocate" in body
    assert "Started by: When someone becomes a client" in body


def test_the_rate_counts_the_window_the_dashboard_link_names(read_only):
    """``?as_of=`` (the dashboard's link) counts the 90 days before that day, whatever today
    is; a date that cannot be read says so and falls back to the last 90 days."""
    import datetime as dt

    from django.utils import timezone

    from thrive.analytics.figures import window
    from thrive.contacts.models import Activity, Direction

    as_of = dt.date(2025, 3, 1)
    start, end = window(as_of)
    person = PersonFactory()
    for at, automated in [(start, True), (end - dt.timedelta(seconds=1), False),
                          (end, True), (start - dt.timedelta(seconds=1), True)]:  # fmt: skip
        Activity.objects.create(person=person, kind="email_sent", occurred_at=at,
                                direction=Direction.OUTBOUND, automated=automated)  # fmt: skip
    Activity.objects.create(person=person, kind="email_sent", occurred_at=timezone.now(),
                            direction=Direction.OUTBOUND, automated=True)  # fmt: skip
    client = client_for(read_only)
    body = client.get("/automations/?as_of=2025-03-01").content.decode()
    assert 'data-automated="1" data-total="2"' in body
    assert "90 days before 1 March 2025" in body
    bad = client.get("/automations/?as_of=first-of-march")
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "could not be read" in text and 'data-automated="1" data-total="1"' in text
