"""Journey step 5 in a real browser: the NPS workflow a week after an order, read on
its page in words, and the survey's reason on the customer's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from thrive.automations.engine import run_engine
from thrive.commerce.services import LineInput, record_order
from thrive.contacts.services import create_person, grant_consent
from thrive.core.roles import Role
from thrive.demo import journey
from thrive.outreach.sending.sender import run_pump
from thrive.testing.factories import AssociateFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_nps_workflow_reads_in_words_and_the_survey_says_why(
    page, live_server, settings, smtp_sink
):
    settings.THRIVE_PUBLIC_URL = live_server.url
    settings.THRIVE_QUIET_HOURS = "off"
    maya = AssociateFactory(username="maya", role=Role.OWNER)
    AssociateFactory(username="tom", first_name="Tom", role=Role.MEMBER)
    workflow = journey.ensure_nps_workflow(maya)
    customer = create_person(actor=None, email="dee@example.com", first_name="Dee")
    grant_consent(customer, "surveys", actor=None, method="web_form", source_text="Ask me.")
    line = LineInput(quantity=1, unit_price="18.00", description="Crow's Nest")
    record_order(customer, actor=None, number="KC-1", lines=[line])
    now = timezone.now()
    run_engine(now=now)
    run_engine(now=now + dt.timedelta(days=7, minutes=1))
    run_pump()
    assert len(smtp_sink.to("dee@example.com")) == 1

    sign_in(page, "maya")
    page.goto(f"/automations/{workflow.pk}/")
    expect(page.get_by_text("Send the NPS survey “How was your order?”")).to_be_visible()
    expect(page.get_by_text("Wait 7 days")).to_be_visible()
    screenshot(page, "automations-nps-workflow")

    page.goto(f"/people/{customer.pk}/")
    expect(page.get_by_text("NPS a week after each order").first).to_be_visible()
    screenshot(page, "automations-nps-person")
