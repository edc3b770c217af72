"""The tasks inbox: due, overdue, done; linked to the person; read-only can't change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from thrive.conftest import client_for
from thrive.tasks import services
from thrive.tasks.models import Task, TaskStatus
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(member):
    now = timezone.now()
    person = PersonFactory(first_name="Ann")
    overdue = services.create_task(
        actor=member, title="Call Ann back", person=person,
        due_at=now - dt.timedelta(days=1), reason="Detractor in NPS",
    )  # fmt: skip
    later = services.create_task(
        actor=member, title="Send samples", due_at=now + dt.timedelta(days=5)
    )
    done = services.create_task(actor=member, title="Old thing")
    services.finish_task(done, actor=member)
    return overdue, later, done


def titles(response) -> list[str]:
    return [t.title for t in response.context["page"].object_list]


def test_inbox_views_split_due_overdue_later_and_done(member, tasks):
    client = client_for(member)
    assert titles(client.get("/tasks/?view=overdue")) == ["Call Ann back"]
    assert titles(client.get("/tasks/")) == ["Call Ann back"]
    assert titles(client.get("/tasks/?view=upcoming")) == ["Send samples"]
    assert titles(client.get("/tasks/?view=done")) == ["Old thing"]


def test_the_reason_and_person_are_shown(member, tasks):
    body = client_for(member).get("/tasks/?view=overdue").content.decode()
    assert "Detractor in NPS" in body and "Ann" in body and "overdue" in body


def test_marking_done_records_when_and_only_once(member, tasks):
    overdue, *_ = tasks
    client = client_for(member)
    client.post(f"/tasks/{overdue.pk}/finish", {"status": "done"})
    overdue.refresh_from_db()
    first = overdue.completed_at
    assert overdue.status == TaskStatus.DONE and first is not None
    client.post(f"/tasks/{overdue.pk}/finish", {"status": "done"})
    overdue.refresh_from_db()
    assert overdue.completed_at == first


def test_tasks_are_created_from_a_person_page(member):
    person = PersonFactory()
    response = client_for(member).post(
        "/tasks/new", {"title": "Bring a bag of the new Kenya", "person": person.pk,
                       "due_on": "2030-01-15", "next": f"/people/{person.pk}/"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"/people/{person.pk}/"
    task = Task.objects.get(person=person)
    assert task.assignee == member and task.due_at.date().isoformat() == "2030-01-15"


def test_read_only_cannot_create_or_finish(read_only, tasks):
    overdue, *_ = tasks
    client = client_for(read_only)
    assert client.post("/tasks/new", {"title": "x"}).status_code == 403
    assert client.post(f"/tasks/{overdue.pk}/finish", {"status": "done"}).status_code == 403
    overdue.refresh_from_db()
    assert overdue.status == TaskStatus.OPEN


def test_a_task_needs_a_title(member):
    with pytest.raises(ValidationError):
        services.create_task(actor=member, title="   ")


def test_an_empty_inbox_explains_where_tasks_come_from(member):
    assert b"Tasks appear when" in client_for(member).get("/tasks/").content


def test_a_review_task_links_to_its_draft_instead_of_a_done_button(member):
    from thrive.outreach.models import EmailTemplate
    from thrive.outreach.services import create_draft

    person = PersonFactory(first_name="Kim", email="kim@example.com")
    template = EmailTemplate.objects.create(name="Note", subject="Hello", text_body="Hi there")
    draft = create_draft(
        person, template=template, associate=member, idempotency_key="t:1", reason={"why": "test"}
    )
    body = client_for(member).get("/tasks/?view=all").content.decode()
    assert f'href="/outreach/drafts/{draft.pk}/"' in body and "Review the draft" in body
