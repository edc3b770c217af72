"""The email template editor in a real browser: Maya writes with the toolbar, inserts merge
fields by their names (in the message and the subject), previews the email as a person
she searched for, and sends herself a test."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from thrive.core.roles import Role
from thrive.outreach.models import Delivery, EmailTemplate
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1440, 390])
def test_an_owner_inserts_merge_fields_and_previews_as_a_searched_person(page, width, smtp_sink):
    AssociateFactory(username="maya", role=Role.OWNER, email="maya@kettle.example")
    for n in range(30):
        PersonFactory(first_name="Robin", last_name=f"Hood{n}", email=f"robin{n}@example.com")
    PersonFactory(first_name="Zelda", last_name="Alder", email="zelda@kettle.example")
    template = EmailTemplate.objects.create(
        name="Welcome", subject="Welcome to Kettle & Crow", html_body="<p>Hello there</p>"
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "maya")
    page.goto(f"/outreach/templates/{template.pk}/")
    body = page.locator("#rich-body")
    expect(body).to_be_visible()
    expect(page.locator("#id_html_body")).to_be_hidden()  # no raw HTML unless asked for
    # In the message: put the cursor after "Hello " and pick "First name".
    body.click()
    page.keyboard.press("End")
    for _ in range(len("there")):
        page.keyboard.press("Shift+ArrowLeft")
    page.get_by_role("button", name="First name", exact=True).click()
    expect(body).to_have_text("Hello {{ person.first_name }}")
    page.get_by_role("button", name="Bold").click()  # formatting stays possible
    # In the subject: at the end, after a comma.
    subject = page.get_by_label("Subject")
    subject.click()
    subject.press("End")
    subject.type(", ")
    page.get_by_role("button", name="First name", exact=True).click()
    expect(subject).to_have_value("Welcome to Kettle & Crow, {{ person.first_name }}")

    # Preview as someone found by search (not a list of everyone).
    search = page.get_by_label("As", exact=True)
    search.fill("zeld")
    option = page.locator("#preview-people option")
    expect(option).to_have_count(1)
    search.fill(option.get_attribute("value"))
    expect(page.locator("#preview-who")).to_contain_text("Zelda Alder <zelda@kettle.example>")
    frame = page.frame_locator("#template-preview")
    expect(frame.locator("body")).to_contain_text("Hello Zelda")
    screenshot(page, f"template-editor-{width}")

    # "Edit HTML" shows the same message as HTML.
    page.get_by_role("button", name="Edit HTML").click()
    expect(page.locator("#id_html_body")).to_have_value(
        re.compile(r"<p>Hello \{\{ person\.first_name \}\}</p>")
    )
    page.get_by_role("button", name="Back to the editor").click()
    page.get_by_role("button", name="Save template").click()
    page.get_by_text("Template “Welcome” saved.").wait_for()
    template.refresh_from_db()
    assert template.subject == "Welcome to Kettle & Crow, {{ person.first_name }}"
    assert "{{ person.first_name }}" in template.html_body

    # Send me a test: as Zelda, to Maya only.
    search = page.get_by_label("As", exact=True)
    search.fill("zeld")
    expect(page.locator("#preview-people option")).to_have_count(1)
    search.fill(page.locator("#preview-people option").get_attribute("value"))
    expect(page.locator("#preview-who")).to_contain_text("Zelda")
    page.get_by_role("button", name="Send me a test").click()
    page.get_by_text("Test sent to maya@kettle.example (as Zelda Alder)").wait_for()
    received = smtp_sink.wait_for(1)
    assert [m.recipients for m in received] == [["maya@kettle.example"]]
    assert received[0].message["Subject"] == "[Test] Welcome to Kettle & Crow, Zelda"
    assert not Delivery.objects.exists()
