"""Task titles and notifications use the email templates' sandboxed merge syntax."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from thrive.automations.models import Step
from thrive.automations.tests.conftest import run
from thrive.contacts import services as contacts
from thrive.outreach.email_templates.sandbox import check_source
from thrive.tasks.models import Task
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

TITLE = 'Call {{ person.first_name|default:"them" }} ({{ person.city|upper }})'


def test_a_task_title_is_filled_from_the_persons_merge_fields(build):
    build("tag_added", [{"kind": "create_task", "title": TITLE}], trigger_config={"tag": "go"})
    named = PersonFactory(first_name="Ann", city="Leeds")
    nameless = PersonFactory(first_name="", city="York")
    for person in (named, nameless):
        contacts.add_tag(person, "go", actor=None)
    run()
    assert Task.objects.get(person=named).title == "Call Ann (LEEDS)"
    assert Task.objects.get(person=nameless).title == "Call them (YORK)"


def test_merge_text_cannot_reach_the_person_objects_internals(build):
    # str.format over user text could walk "{person.__class__...}"; the sandbox only
    # knows the listed merge fields and never sees a model instance.
    with pytest.raises(ValidationError, match="unknown merge field"):
        build("manual", [{"kind": "create_task", "title": "{{ person.pk }}"}])
    with pytest.raises(ValidationError, match="not allowed"):
        build("manual", [{"kind": "notify", "associate": "owner", "message": "{% load x %}"}])


def test_the_old_single_brace_fields_are_refused_with_the_new_spelling(build):
    with pytest.raises(ValidationError) as caught:
        build("manual", [{"kind": "create_task", "title": "Call {name}"}])
    assert "write {{ person.full_name }} instead of {name}" in str(caught.value)


def test_the_migration_rewrites_stored_titles_and_messages(build):
    workflow = build("manual", [
        {"kind": "create_task", "title": "Call {{ person.first_name }}"},
        {"kind": "notify", "associate": "owner", "message": "Hi"},
    ], active=False)  # fmt: skip
    task_step, notify_step = workflow.steps.order_by("position")
    # As they were stored before the change (written past validation on purpose).
    Step.objects.filter(pk=task_step.pk).update(
        config={**task_step.config, "title": "Call {first_name} now"}
    )
    Step.objects.filter(pk=notify_step.pk).update(
        config={**notify_step.config, "message": "{name} became a client"}
    )
    migration = importlib.import_module(
        "thrive.automations.migrations.0004_task_titles_in_template_syntax"
    )
    migration.forward(apps, None)
    task_step.refresh_from_db()
    notify_step.refresh_from_db()
    assert task_step.config["title"] == 'Call {{ person.first_name|default:"them" }} now'
    assert notify_step.config["message"] == (
        "{{ person.full_name|default:person.email }} became a client"
    )
    # The rewritten text passes the sandbox's checks.
    assert check_source(task_step.config["title"]) == []
    assert check_source(notify_step.config["message"]) == []
    migration.backward(apps, None)
    task_step.refresh_from_db()
    assert task_step.config["title"] == "Call {first_name} now"
