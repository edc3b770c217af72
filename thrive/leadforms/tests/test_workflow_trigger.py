"""The workflow editor's "form submitted" trigger offers the business's forms by name (the
forms app registers them; automations does not import it), and a saved trigger keeps
working."""

from __future__ import annotations

import pytest

from thrive.automations import engine
from thrive.automations import services as automations
from thrive.automations.models import Enrollment, Workflow
from thrive.conftest import client_for

from ..models import LeadForm
from ..services import save_form, submit
from .conftest import make_form

pytestmark = pytest.mark.django_db


def _posted(**fields: str) -> dict[str, str]:
    return {
        "name": "Course leads", "description": "", "trigger": "form_submitted",
        "trigger_config": "", "trigger_fields": "1", "reentry": "never", "goal": "",
        "step_count": "1", "step-1-kind": "add_tag", "step-1-tag": "course lead", **fields,
    }  # fmt: skip


def test_the_trigger_offers_each_form_by_name_and_any_form(owner):
    make_form()
    make_form(name="Wholesale enquiry", slug="wholesale")
    page = client_for(owner).post("/automations/new/", _posted(preview="1")).content.decode()
    assert '<select id="trigger-form" name="trigger-form">' in page
    assert '<option value="">Any form</option>' in page
    assert '<option value="brew-course">Brew course</option>' in page
    assert '<option value="wholesale">Wholesale enquiry</option>' in page
    assert 'name="trigger-form" type="text"' not in page


def test_an_owner_picks_a_form_and_the_workflow_says_its_name(owner):
    make_form()
    client = client_for(owner)
    response = client.post("/automations/new/", _posted(**{"trigger-form": "brew-course"}))
    workflow = Workflow.objects.get(name="Course leads")
    assert response.status_code == 302
    assert workflow.trigger_config == {"form": "brew-course"}
    page = client.get(f"/automations/{workflow.pk}/").content.decode()
    assert "When someone submits the form “Brew course”" in page
    editor = client.get(f"/automations/{workflow.pk}/edit/").content.decode()
    assert '<option value="brew-course" selected>Brew course</option>' in editor


def test_any_form_saves_no_form(owner):
    make_form()
    assert client_for(owner).post("/automations/new/", _posted()).status_code == 302
    assert Workflow.objects.get().trigger_config == {}


def test_a_form_that_does_not_exist_is_refused_with_its_name(owner):
    make_form()
    page = (
        client_for(owner)
        .post("/automations/new/", _posted(**{"trigger-form": "brew-corse"}))
        .content.decode()
    )
    assert not Workflow.objects.exists()
    assert "There is no form “brew-corse”: choose one of the forms listed, or “Any form”." in page
    # The typo stays visible, marked, rather than silently becoming "any form".
    assert '<option value="brew-corse" selected>“brew-corse” (no such form now)</option>' in page


def test_a_workflow_saved_before_keeps_firing_for_its_form(owner):
    course, other = make_form(), make_form(name="Wholesale enquiry", slug="wholesale")
    # Saved as the editor used to save it (the form's slug, typed), not through the list.
    workflow = Workflow.objects.create(
        name="Old course leads", trigger="form_submitted", trigger_config={"form": "brew-course"},
        created_by=owner,
    )  # fmt: skip
    workflow.steps.create(position=1, kind="wait", config={"days": 1})
    automations.activate_workflow(workflow, actor=owner)
    ana = submit(course, answers={"email": "ana@example.com"}, consents=set()).person
    submit(other, answers={"email": "bo@example.com"}, consents=set())
    engine.process_activities()
    assert set(Enrollment.objects.values_list("person_id", flat=True)) == {ana.pk}


def test_a_deleted_forms_workflow_shows_the_old_address_marked(owner):
    make_form()
    workflow = automations.save_workflow(
        actor=owner, name="Course leads", trigger="form_submitted",
        trigger_config={"form": "brew-course"}, steps=[{"kind": "wait", "days": 1}],
    )  # fmt: skip
    LeadForm.objects.all().delete()
    editor = client_for(owner).get(f"/automations/{workflow.pk}/edit/").content.decode()
    assert "“brew-course” (no such form now)</option>" in editor
    page = client_for(owner).get(f"/automations/{workflow.pk}/").content.decode()
    assert "When someone submits the form “brew-course”" in page


def test_the_demo_course_form_starts_a_check_in_workflow_named_in_words(owner):
    from thrive.automations.words import describe_trigger
    from thrive.leadforms.demo import CHECK_IN, seed_demo

    seed_demo(owner.username)
    seed_demo(owner.username)  # idempotent
    workflow = Workflow.objects.get(name=CHECK_IN)
    assert workflow.status == "active"
    assert describe_trigger(workflow) == "When someone submits the form “Brewing course by email”"


def test_a_form_given_a_new_address_keeps_its_workflows_firing(owner):
    course = make_form()
    other = make_form(name="Wholesale enquiry", slug="wholesale")
    workflow = automations.save_workflow(
        actor=owner, name="Course leads", trigger="form_submitted",
        trigger_config={"form": "brew-course"}, steps=[{"kind": "wait", "days": 1}],
    )  # fmt: skip
    untouched = automations.save_workflow(
        actor=owner, name="Wholesale leads", trigger="form_submitted",
        trigger_config={"form": "wholesale"}, steps=[{"kind": "wait", "days": 1}],
    )  # fmt: skip
    automations.activate_workflow(workflow, actor=owner)
    rows = [{"target": "email", "label": "Email", "required": True}]
    save_form(course, actor=owner, values={"slug": "brewing-course"}, rows=rows)
    workflow.refresh_from_db()
    untouched.refresh_from_db()
    assert workflow.trigger_config == {"form": "brewing-course"}
    assert untouched.trigger_config == {"form": "wholesale"}
    course.refresh_from_db()
    ana = submit(course, answers={"email": "ana@example.com"}, consents=set()).person
    submit(other, answers={"email": "bo@example.com"}, consents=set())
    engine.process_activities()
    assert set(
        Enrollment.objects.filter(workflow=workflow).values_list("person_id", flat=True)
    ) == {ana.pk}
