"""Branches, goals, re-entry rules, and pausing/editing/resuming without losing places."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from thrive.automations import engine, services
from thrive.automations.models import ActionLog, Enrollment, EnrollmentStatus, LogOutcome
from thrive.automations.tests.conftest import run, where
from thrive.contacts import services as contacts
from thrive.segments.models import Segment
from thrive.tasks.models import Task
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
VIP = {"match": "all", "rules": [{"field": "tag", "op": "has", "value": "VIP"}]}


def tags(person) -> set[str]:
    return set(person.tags.values_list("name", flat=True))


def test_a_condition_sends_each_person_down_their_branch(build, member):
    steps = [
        {"kind": "condition", "rules": VIP, "yes": 2, "no": 3},
        {"kind": "add_tag", "tag": "Gold welcome", "next": "end"},
        {"kind": "create_task", "title": "Call {{ person.first_name }}", "associate": "member",
         "task_kind": "call", "due_in_days": 2},
    ]  # fmt: skip
    workflow = build("tag_added", steps, trigger_config={"tag": "go"})
    vip, plain = PersonFactory(first_name="Vera"), PersonFactory(first_name="Paul")
    contacts.add_tag(vip, "VIP", actor=None)
    for person in (vip, plain):
        contacts.add_tag(person, "go", actor=None)
    run()
    assert "Gold welcome" in tags(vip) and not Task.objects.filter(person=vip).exists()
    task = Task.objects.get(person=plain)
    assert "Gold welcome" not in tags(plain)
    assert (task.title, task.kind, task.assignee) == ("Call Paul", "call", member)
    assert workflow.name in task.reason
    for person in (vip, plain):
        assert where(workflow, person).status == EnrollmentStatus.COMPLETED


def test_a_condition_on_a_saved_segment(build):
    segment = Segment.objects.create(name="VIPs", rules=VIP)
    steps = [
        {"kind": "condition", "segment": segment.pk, "no": "end"},
        {"kind": "add_tag", "tag": "In"},
    ]
    build("tag_added", steps, trigger_config={"tag": "go"})
    vip, plain = PersonFactory(), PersonFactory()
    contacts.add_tag(vip, "VIP", actor=None)
    for person in (vip, plain):
        contacts.add_tag(person, "go", actor=None)
    run()
    assert "In" in tags(vip) and "In" not in tags(plain)


def test_meeting_the_goal_takes_a_waiting_person_out(build):
    goal = {"match": "all", "rules": [{"field": "tag", "op": "has", "value": "Bought"}]}
    steps = [{"kind": "wait", "days": 7}, {"kind": "add_tag", "tag": "Reminded"}]
    workflow = build("tag_added", steps, trigger_config={"tag": "go"}, goal=goal)
    ann, bob = PersonFactory(), PersonFactory()
    for person in (ann, bob):
        contacts.add_tag(person, "go", actor=None)
    start = dt.datetime(2030, 1, 1, tzinfo=UTC)
    run(start)
    contacts.add_tag(ann, "Bought", actor=None)
    run(start + dt.timedelta(days=1))
    exited = where(workflow, ann)
    assert exited.status == EnrollmentStatus.EXITED and exited.exit_reason == "Reached the goal"
    log = ActionLog.objects.get(person=ann, outcome=LogOutcome.EXITED)
    assert "goal" in log.summary and "Bought" in log.summary
    run(start + dt.timedelta(days=7))
    assert "Reminded" not in tags(ann) and "Reminded" in tags(bob)


@pytest.mark.parametrize(
    ("reentry", "days", "expected"),
    [("never", None, 1), ("always", None, 2), ("after_days", 30, 1), ("after_days", 1, 2)],
)
def test_reentry_rules(build, reentry, days, expected):
    steps = [{"kind": "add_tag", "tag": "Seen"}]
    workflow = build("tag_added", steps, trigger_config={"tag": "go"}, reentry=reentry,
                     reentry_days=days)  # fmt: skip
    person = PersonFactory()
    contacts.add_tag(person, "go", actor=None)
    run()
    assert where(workflow, person).status == EnrollmentStatus.COMPLETED
    # Two days later the trigger fires again.
    Enrollment.objects.update(enrolled_at=dt.datetime(2000, 1, 1, tzinfo=UTC))
    contacts.remove_tag(person, "go", actor=None)
    contacts.add_tag(person, "go", actor=None)
    engine.process_activities(now=dt.datetime(2000, 1, 3, tzinfo=UTC))
    assert Enrollment.objects.filter(workflow=workflow, person=person).count() == expected


def test_nobody_is_in_the_same_workflow_twice_at_once(build):
    workflow = build("tag_added", [{"kind": "wait", "days": 5}], trigger_config={"tag": "go"},
                     reentry="always")  # fmt: skip
    person = PersonFactory()
    contacts.add_tag(person, "go", actor=None)
    contacts.remove_tag(person, "go", actor=None)
    contacts.add_tag(person, "go", actor=None)
    engine.process_activities()
    assert Enrollment.objects.filter(workflow=workflow, person=person).count() == 1


def test_pause_edit_and_resume_keep_everyones_place(build, owner):
    steps = [
        {"kind": "wait", "days": 1},
        {"kind": "wait", "days": 10},
        {"kind": "add_tag", "tag": "Old ending"},
    ]
    workflow = build("tag_added", steps, trigger_config={"tag": "go"})
    early, later = PersonFactory(), PersonFactory()
    contacts.add_tag(early, "go", actor=None)
    start = dt.datetime(2030, 1, 1, tzinfo=UTC)
    run(start)
    contacts.add_tag(later, "go", actor=None)
    run(start + dt.timedelta(days=1))  # early moves on to step 2; later starts step 1
    places = {
        p.pk: (where(workflow, p).position, where(workflow, p).wait_until) for p in (early, later)
    }
    assert {pos for pos, _ in places.values()} == {1, 2}

    with pytest.raises(ValidationError):  # a running workflow is paused before editing
        services.save_workflow(actor=owner, workflow=workflow, name="x", trigger="tag_added",
                               trigger_config={"tag": "go"}, steps=steps)  # fmt: skip
    services.pause_workflow(workflow, actor=owner)
    run(start + dt.timedelta(days=30))  # paused: nothing moves, however late it is
    assert {p.pk: (where(workflow, p).position, where(workflow, p).wait_until)
            for p in (early, later)} == places  # fmt: skip
    with pytest.raises(ValidationError):  # someone is at step 2: it cannot be removed
        services.save_workflow(actor=owner, workflow=workflow, name="x", trigger="tag_added",
                               trigger_config={"tag": "go"}, steps=steps[:1])  # fmt: skip
    edited = [
        *steps[:2],
        {"kind": "add_tag", "tag": "New ending"},
        {"kind": "add_tag", "tag": "Extra"},
    ]
    services.save_workflow(actor=owner, workflow=workflow, name="Edited", trigger="tag_added",
                           trigger_config={"tag": "go"}, steps=edited)  # fmt: skip
    workflow.refresh_from_db()
    assert workflow.version == 2
    assert {p.pk: (where(workflow, p).position, where(workflow, p).wait_until)
            for p in (early, later)} == places  # fmt: skip

    services.activate_workflow(workflow, actor=owner)
    run(start + dt.timedelta(days=30))
    run(start + dt.timedelta(days=41))
    for person in (early, later):
        assert tags(person) >= {"New ending", "Extra"} and "Old ending" not in tags(person)
        assert where(workflow, person).status == EnrollmentStatus.COMPLETED


def test_an_event_while_paused_is_kept_for_after_resuming(build, owner):
    steps = [{"kind": "wait_event", "event": "order"}, {"kind": "add_tag", "tag": "Ordered"}]
    workflow = build("tag_added", steps, trigger_config={"tag": "go"})
    person = PersonFactory()
    contacts.add_tag(person, "go", actor=None)
    run()
    services.pause_workflow(workflow, actor=owner)
    contacts.record_activity(person, "order", data={"order": 1, "total": "5"})
    run()
    assert "Ordered" not in tags(person)
    services.activate_workflow(workflow, actor=owner)
    run()
    assert "Ordered" in tags(person)


def test_steps_are_validated_with_readable_messages(owner):
    with pytest.raises(ValidationError) as caught:
        services.save_workflow(actor=owner, name="Bad", trigger="tag_added",
                               trigger_config={"tag": "x"},
                               steps=[{"kind": "wait"},
                                      {"kind": "condition", "rules": VIP, "yes": 9},
                                      {"kind": "fly"}])  # fmt: skip
    messages = caught.value.message_dict["steps"]
    assert any(m.startswith("Step 1: say how long") for m in messages)
    assert any("Step 2: “yes” points to step 9" in m for m in messages)
    assert any(m.startswith("Step 3: “kind” must be one of") for m in messages)


def test_read_only_cannot_change_workflows(build, read_only):
    from django.core.exceptions import PermissionDenied

    workflow = build("manual", [{"kind": "wait", "days": 1}])
    with pytest.raises(PermissionDenied):
        services.pause_workflow(workflow, actor=read_only)
    with pytest.raises(PermissionDenied):
        services.enroll_person(workflow, PersonFactory(), actor=read_only)
