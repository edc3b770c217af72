"""The owner's path: a workflow started by one of the business's forms, picked by name."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from thrive.automations.models import Workflow
from thrive.core.roles import Role
from thrive.leadforms.services import save_form
from thrive.testing.factories import AssociateFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_owner_starts_a_workflow_from_a_form_chosen_by_name(page, live_server):
    AssociateFactory(username="maya", role=Role.OWNER)
    rows = [{"target": "email", "label": "Email", "required": True}]
    save_form(None, actor=None, rows=rows, values={"name": "Brewing course", "slug": "course"})
    save_form(None, actor=None, rows=rows, values={"name": "Wholesale", "slug": "wholesale"})
    sign_in(page, "maya")
    page.goto("/automations/new/")
    page.get_by_label("Name", exact=True).fill("Course leads")
    page.get_by_label("Trigger", exact=True).select_option("form_submitted")
    form_list = page.get_by_label("Form", exact=True)
    expect(form_list.locator("option")).to_have_text(["Any form", "Brewing course", "Wholesale"])
    form_list.select_option(label="Brewing course")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved “Course leads”.").wait_for()
    assert Workflow.objects.get(name="Course leads").trigger_config == {"form": "course"}
    expect(page.get_by_text("When someone submits the form “Brewing course”")).to_be_visible()
    screenshot(page, "automations-form-trigger")
