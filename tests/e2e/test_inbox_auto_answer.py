"""The automatic first answer in a real browser: Maya switches it on from the inbox, a
customer's email gets the help article at once, and the conversation shows the answer as
Thrive's, still waiting for a person."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from thrive.core.roles import Role
from thrive.helpcentre.demo import seed_demo
from thrive.service import services
from thrive.service.models import Conversation, ServiceSettings
from thrive.service.tests.conftest import customer_email, run_queued_answers
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import open_section, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_maya_switches_on_the_automatic_first_answer(page, settings, smtp_sink):
    settings.DEFAULT_FROM_EMAIL = "Kettle & Crow <hello@kettlecrow.example>"
    AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER)
    PersonFactory(first_name="Lena", last_name="Park", email="lena@example.com")
    seed_demo()

    sign_in(page, "maya")
    open_section(page, "Listen")
    page.get_by_role("link", name="Inbox", exact=True).click()
    page.get_by_role("link", name="Automatic answer, canned replies, hours & SLAs").click()
    box = page.get_by_label("Answer new conversations with help articles automatically")
    expect(box).not_to_be_checked()
    box.check()
    page.locator("#auto-answer").get_by_role("button", name="Save").click()
    expect(page.get_by_text("Automatic first answer switched on.")).to_be_visible()
    expect(box).to_be_checked()
    assert ServiceSettings.objects.get().auto_answer is True
    screenshot(page, "inbox-auto-answer-settings")

    services.receive(bytes(customer_email(
        subject="Pausing in August", text="Can we pause our subscription for three weeks?",
    )), source="lmtp")  # fmt: skip
    assert run_queued_answers() == 1  # what the worker does
    sent = smtp_sink.wait_for(1)
    assert sent[0].recipients == ["lena@example.com"]
    assert "pause" in sent[0].message.get_body(("plain",)).get_content().lower()

    conversation = Conversation.objects.get()
    page.goto(f"/inbox/{conversation.pk}/")
    expect(page.get_by_text("Automatic first answer", exact=True)).to_be_visible()
    expect(page.get_by_text("not the team's first response")).to_be_visible()
    expect(page.get_by_text("How do I pause or skip my subscription?").first).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
