"""The public idea board in a real browser: sign in by magic link, submit, vote, and
see the status an associate sets."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from thrive.core.config import mailer_settings
from thrive.core.roles import Role
from thrive.core.testing.factories import AssociateFactory
from thrive.outreach.sender import run_pump
from thrive.voice.models import Idea, Vote

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def portal(settings, live_server):
    settings.MAILERS = {"default": mailer_settings("locmem:")}
    settings.THRIVE_PUBLIC_URL = live_server.url
    settings.THRIVE_QUIET_HOURS = "off"
    AssociateFactory(username="tom", first_name="Tom", role=Role.MEMBER)
    mail.outbox = []
    return live_server


def _magic_link(address: str) -> str:
    for message in reversed(mail.outbox):
        if message.to == [address]:
            return re.search(r"https?://\S+(/ideas/sign-in/\S+)", message.body).group(1)
    raise AssertionError(f"no sign-in email to {address}")


def test_a_customer_submits_votes_and_sees_the_status_change(page, browser, portal):
    page.goto("/ideas/")
    page.get_by_role("link", name="Sign in to vote").click()
    page.get_by_label("Email", exact=True).fill("mia@example.com")
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    page.goto(_magic_link("mia@example.com"))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as mia@example.com").wait_for()

    page.get_by_role("link", name="Suggest an idea").click()
    page.get_by_label("Title").fill("Compostable <b>pods</b>")
    page.get_by_label("Details").fill("For the office machine.")
    page.get_by_role("button", name="Submit idea").click()
    page.get_by_role("heading", name="Compostable <b>pods</b>").wait_for()  # escaped, as typed
    expect(page.get_by_test_id("idea-status")).to_have_text("Open")
    expect(page.get_by_test_id("my-vote")).to_contain_text("nice to have")

    page.get_by_label("Critical").check()
    page.get_by_role("button", name="Update my vote").click()
    expect(page.get_by_test_id("my-vote")).to_contain_text("critical")
    idea = Idea.objects.get()
    assert Vote.objects.get(idea=idea).importance == "critical"
    screenshot(page, "voice-idea")

    # An associate, in their own browser, marks it done with a note for voters.
    staff = browser.new_context(base_url=portal.url).new_page()
    sign_in(staff, "tom")
    staff.get_by_role("link", name="Voice").click()
    staff.get_by_role("link", name="Compostable <b>pods</b>").click()
    staff.get_by_label("New status").select_option("done")
    staff.get_by_label("Note for voters").fill("In the shop from Monday.")
    staff.get_by_role("button", name="Change status").click()
    staff.get_by_text("1 voters will hear").wait_for()
    staff.context.close()

    page.reload()
    expect(page.get_by_test_id("idea-status")).to_have_text("Done")
    page.get_by_text("In the shop from Monday.").wait_for()
    run_pump()
    assert any(m.to == ["mia@example.com"] and "is now done" in m.body for m in mail.outbox)


def test_the_survey_link_records_a_score_in_one_click(page, portal):
    from thrive.contacts.models import Segment
    from thrive.voice.models import SurveyResponse
    from thrive.voice.services import create_survey, send_survey_to
    from thrive.voice.tests.conftest import surveyable

    tom = AssociateFactory(username="tom")
    survey = create_survey(actor=tom, name="NPS", segment=Segment.objects.create(name="All"))
    send_survey_to(survey, surveyable(email="lea@example.com"))
    run_pump()
    nine = re.search(r"https?://\S+?(/s/\S+)", mail.outbox[-1].body.split("9: ")[1]).group(1)
    page.goto(nine)
    page.get_by_role("heading", name="Thank you for your answer").wait_for()
    assert SurveyResponse.objects.get().score == 9
    page.get_by_label("What is the main reason for your score?").fill("Lovely beans")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Thank you").wait_for()
    assert SurveyResponse.objects.get().comment == "Lovely beans"
