"""The per-person "no automation" switch: workflows never enrol that person, stop before
the next step of any workflow they are in, and say why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from thrive.automations import services
from thrive.automations.models import ActionLog, Enrollment
from thrive.automations.tests.conftest import run, where
from thrive.conftest import client_for
from thrive.contacts import services as contacts
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
STEPS = [{"kind": "wait", "days": 1}, {"kind": "add_tag", "tag": "Touched"}]


def test_a_paused_person_is_never_enrolled_by_a_trigger_or_by_hand(build, owner):
    workflow = build("tag_added", STEPS, trigger_config={"tag": "go"})
    paused, other = PersonFactory(), PersonFactory()
    contacts.set_automation_paused(paused, True, actor=owner)
    for person in (paused, other):
        contacts.add_tag(person, "go", actor=owner)
    run()
    assert list(Enrollment.objects.values_list("person_id", flat=True)) == [other.pk]
    with pytest.raises(ValidationError, match="switched off"):
        services.enroll_person(workflow, paused, actor=owner)


def test_pausing_someone_in_a_workflow_stops_it_before_the_next_step(build, owner):
    workflow = build("tag_added", STEPS, trigger_config={"tag": "go"})
    person = PersonFactory()
    contacts.add_tag(person, "go", actor=owner)
    run()
    assert where(workflow, person).status == "waiting"
    contacts.set_automation_paused(person, True, actor=owner)
    run(now=timezone.now() + dt.timedelta(days=2))
    stopped = where(workflow, person)
    assert stopped.status == "exited" and "switched off" in stopped.exit_reason
    assert not person.tags.filter(name="Touched").exists()
    assert not ActionLog.objects.filter(person=person, position=2).exists()


def test_the_switch_is_on_the_person_page_for_editors_only(owner, member, read_only):
    person = PersonFactory()
    url = f"/people/{person.pk}/automation"
    assert client_for(read_only).post(url, {"paused": "1"}).status_code == 403
    person.refresh_from_db()
    assert not person.automation_paused
    client = client_for(member)
    assert client.post(url, {"paused": "1"}).status_code == 302
    person.refresh_from_db()
    assert person.automation_paused
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert 'id="automation-paused"' in page and "include" in page
    assert person.activities.filter(subject__contains="switched automation off").exists()
    client.post(url, {"paused": "0"})
    person.refresh_from_db()
    assert not person.automation_paused
