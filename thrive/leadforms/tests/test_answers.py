"""An answer to a form: one person per email, a timeline entry that starts workflows,
tags, a task for the associate, and nothing written when a value is bad."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from thrive.automations import engine
from thrive.automations import services as automations
from thrive.automations.models import Enrollment
from thrive.contacts.models import (
    Activity,
    ActivityKind,
    CustomFieldDefinition,
    CustomFieldType,
    Person,
)
from thrive.contacts.models.fields import CustomFieldEntity
from thrive.contacts.services import has_consent
from thrive.outreach.models import SequenceEnrollment
from thrive.tasks.models import Task
from thrive.testing.factories import AssociateFactory, PersonFactory

from ..models import Submission
from ..services import submit
from .conftest import make_form

pytestmark = pytest.mark.django_db


def roast_field():
    return CustomFieldDefinition.objects.create(
        entity=CustomFieldEntity.PERSON, key="roast", label="Favourite roast",
        field_type=CustomFieldType.CHOICE, choices=["light", "dark"],
    )  # fmt: skip


def test_a_new_address_becomes_one_person_with_the_answers_and_a_timeline_entry():
    roast_field()
    form = make_form(rows=[
        {"target": "email", "label": "Email"},
        {"target": "first_name", "label": "Name"},
        {"target": "custom:roast", "label": "Roast"},
    ], tags="course, Web lead")  # fmt: skip
    submission = submit(form, answers={"email": " Ana@Example.COM ", "first_name": "Ana",
                                       "custom:roast": "dark"}, consents=set())  # fmt: skip
    person = Person.objects.get()
    assert (person.email, person.first_name) == ("ana@example.com", "Ana")
    assert person.custom_fields == {"roast": "dark"}
    assert person.acquisition_source == "Form: Brew course"
    assert submission.new_person and submission.person == person
    assert submission.values == {"Email": "Ana@Example.COM", "Name": "Ana", "Roast": "dark"}
    entry = Activity.objects.get(person=person, kind=ActivityKind.FORM_SUBMISSION)
    assert entry.data["form"] == "brew-course" and entry.data["submission"] == submission.pk
    assert "Roast: dark" in entry.body
    assert sorted(person.tags.values_list("name", flat=True)) == ["Web lead", "course"]


def test_a_known_email_joins_its_person_fills_gaps_and_overwrites_nothing():
    known = PersonFactory(email="bo@example.com", first_name="Bo", last_name="", city="")
    form = make_form(rows=[
        {"target": "email", "label": "Email"}, {"target": "first_name", "label": "Name"},
        {"target": "last_name", "label": "Surname"}, {"target": "city", "label": "City"},
    ])  # fmt: skip
    for _ in range(2):
        submit(form, answers={"email": "BO@example.com", "first_name": "Mallory",
                              "last_name": "Berg", "city": "Leeds"}, consents=set())  # fmt: skip
    assert Person.objects.count() == 1
    known.refresh_from_db()
    # Anyone can type an address: the name already known stays, the blanks are filled.
    assert (known.first_name, known.last_name, known.city) == ("Bo", "Berg", "Leeds")
    assert Submission.objects.filter(person=known, new_person=False).count() == 2
    assert Activity.objects.filter(person=known, kind=ActivityKind.FORM_SUBMISSION).count() == 2


def test_a_bad_value_names_the_field_and_leaves_nothing_written():
    form = make_form(rows=[{"target": "email", "label": "Email"},
                           {"target": "phone", "label": "Phone"}], tags="course")  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        submit(form, answers={"email": "cy@example.com", "phone": "call me maybe"},
               consents=set())  # fmt: skip
    assert "phone" in caught.value.message_dict
    assert not Person.objects.exists()
    assert not Submission.objects.exists()
    assert not Activity.objects.exists()


def test_the_form_submitted_trigger_picks_out_its_own_form(owner):
    course, other = make_form(), make_form(name="Wholesale enquiry", slug="wholesale")
    workflow = automations.save_workflow(
        actor=owner, name="Course leads", trigger="form_submitted",
        trigger_config={"form": "brew-course"}, steps=[{"kind": "wait", "days": 1}],
    )  # fmt: skip
    automations.activate_workflow(workflow, actor=owner)
    ana = submit(course, answers={"email": "ana@example.com"}, consents=set()).person
    submit(other, answers={"email": "bo@example.com"}, consents=set())
    engine.process_activities()
    assert set(Enrollment.objects.values_list("person_id", flat=True)) == {ana.pk}


def test_the_associate_to_notify_gets_a_task_and_an_email(
    mailoutbox, django_capture_on_commit_callbacks
):
    tom = AssociateFactory(username="tom", email="tom@example.com", first_name="Tom")
    form = make_form(notify=tom)
    with django_capture_on_commit_callbacks(execute=True):
        person = submit(form, answers={"email": "di@example.com", "first_name": "Di"},
                        consents=set()).person  # fmt: skip
    task = Task.objects.get()
    assert (task.assignee, task.person) == (tom, person)
    assert "Brew course" in task.title
    [mail] = mailoutbox
    assert mail.to == ["tom@example.com"] and "Di" in mail.subject
    assert f"/people/{person.pk}/" in mail.body


def test_other_consents_are_granted_at_once_and_marketing_waits(mailoutbox):
    form = make_form(consent_texts={"surveys": "Ask me for feedback.",
                                    "email_marketing": "Send me news."})  # fmt: skip
    submission = submit(form, answers={"email": "ed@example.com"},
                        consents={"surveys", "email_marketing"})  # fmt: skip
    person = submission.person
    assert has_consent(person, "surveys")
    assert not has_consent(person, "email_marketing")
    assert submission.awaiting_confirmation
    assert not SequenceEnrollment.objects.exists()


def test_a_closed_form_takes_no_answer():
    form = make_form(is_active=False)
    with pytest.raises(ValidationError):
        submit(form, answers={"email": "fi@example.com"}, consents=set())
    assert not Person.objects.exists()


def test_erasing_a_person_clears_what_they_typed_and_keeps_the_count(owner):
    from thrive.portability.erasure import erase_person

    form = make_form()
    submission = submit(form, answers={"email": "gil@example.com", "first_name": "Gil"},
                        consents=set())  # fmt: skip
    erase_person(submission.person, actor=owner)
    submission.refresh_from_db()
    assert submission.values == {}
    assert "gil" not in str(Submission.objects.values_list()).lower()
    assert form.submissions.count() == 1
