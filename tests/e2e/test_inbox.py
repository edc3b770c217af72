"""The shared inbox in a real browser, on a desk and on a phone: Maya finds the customer's
email from the navigation, inserts a canned reply, sends it as the business, and the page
never scrolls sideways."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from thrive.core.roles import Role
from thrive.service import services
from thrive.service.models import CannedReply, Conversation
from thrive.service.tests.conftest import customer_email
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import open_section, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1440, 390])
def test_maya_answers_a_customer_from_the_inbox(page, settings, smtp_sink, width):
    settings.DEFAULT_FROM_EMAIL = "Kettle & Crow <hello@kettlecrow.example>"
    maya = AssociateFactory(username="maya", first_name="Maya", last_name="Okafor",
                            role=Role.OWNER)  # fmt: skip
    PersonFactory(first_name="Lena", last_name="Park", email="lena@example.com")
    services.receive(bytes(customer_email()), source="lmtp")
    CannedReply.objects.create(title="On it", body="Hi {first_name}, we are on it. {agent}")
    conversation = Conversation.objects.get()
    tom = AssociateFactory(username="tom", first_name="Tom", last_name="Hale")
    services.mark_drafting(conversation, actor=tom)  # Tom is writing an answer too

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "maya")
    if width < 600:
        page.locator(".menu-toggle").click()
    open_section(page, "Listen")
    page.get_by_role("link", name="Inbox", exact=True).click()
    expect(page.get_by_role("heading", name="Inbox", exact=True)).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"inbox-{width}")

    page.get_by_role("link", name="Order 1042 arrived cold").click()
    expect(page.get_by_text("my order arrived cold")).to_be_visible()
    page.get_by_text("Canned replies").click()
    page.get_by_role("button", name="On it").click()
    box = page.get_by_label("Your reply")
    expect(box).to_have_value("Hi Lena, we are on it. Maya Okafor")
    expect(page.locator("#drafting-live")).to_contain_text("Tom Hale opened the reply box at")
    deadline = time.monotonic() + 5  # the script marks the reply box as being drafted
    while time.monotonic() < deadline:
        conversation.refresh_from_db()
        if conversation.drafting_by_id == maya.pk:
            break
        time.sleep(0.1)
    assert conversation.drafting_by_id == maya.pk
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"inbox-conversation-{width}")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply sent to lena@example.com.")).to_be_visible()
    sent = smtp_sink.wait_for(1)
    assert sent[0].recipients == ["lena@example.com"]
    assert "we are on it" in sent[0].message.get_body(("plain",)).get_content()
    conversation.refresh_from_db()
    assert conversation.status == "waiting"
