"""The public idea board in a real browser: sign in by magic link, submit, vote, and
see the status an associate sets."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from thrive.core.config import mailer_settings
from thrive.core.roles import Role
from thrive.outreach.sending.sender import run_pump
from thrive.testing.factories import AssociateFactory
from thrive.voice.models import Idea, Vote
from thrive.voice.tests.conftest import run_voice_jobs

from .conftest import open_section, screenshot, sign_in

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
    open_section(staff, "Listen")
    staff.get_by_role("link", name="Ideas", exact=True).click()
    staff.get_by_role("link", name="Compostable <b>pods</b>").click()
    staff.get_by_label("New status").select_option("done")
    staff.get_by_label("Note for voters").fill("In the shop from Monday.")
    staff.get_by_role("button", name="Change status").click()
    staff.get_by_text("The voters are being told in the background").wait_for()
    expect(staff.locator("#job-bar")).to_be_visible()
    screenshot(staff, "voice-idea-telling-voters")
    # The worker picks the job up; the page notices by itself and shows the result.
    assert run_voice_jobs() == 1
    staff.get_by_text("1 voter sees it on their timeline; 1 emailed").wait_for(timeout=10_000)
    screenshot(staff, "voice-idea-voters-told")
    staff.context.close()

    page.reload()
    expect(page.get_by_test_id("idea-status")).to_have_text("Done")
    page.get_by_text("In the shop from Monday.").wait_for()
    run_pump()
    assert any(m.to == ["mia@example.com"] and "is now done" in m.body for m in mail.outbox)


def test_the_survey_link_records_a_score_in_one_click(page, portal):
    from thrive.segments.models import Segment
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


def test_the_surveys_page_charts_nps_and_sends_in_the_background(page, portal):
    import datetime as dt

    from django.utils import timezone

    from thrive.segments.models import Segment
    from thrive.testing.factories import ChannelFactory, PersonFactory
    from thrive.voice.models import InviteStatus, SurveyInvite, SurveyResponse
    from thrive.voice.services import create_survey
    from thrive.voice.tests.conftest import surveyable

    tom = AssociateFactory(username="maya", role=Role.OWNER)
    everyone = Segment.objects.create(name="Everyone")
    survey = create_survey(actor=tom, name="After your order", segment=everyone, owner=tom)
    channels = [ChannelFactory(name="Referral"), ChannelFactory(name="Social ads")]
    now = timezone.now()
    for months_ago in range(6):
        for i, score in enumerate([10, 9, 9, 8, 6, 3, 10, 7][: 4 + months_ago % 4]):
            person = PersonFactory(acquisition_channel=channels[i % 2])
            at = now - dt.timedelta(days=30 * months_ago + 1)
            invite = SurveyInvite.objects.create(
                survey=survey, person=person, status=InviteStatus.QUEUED, sent_at=at
            )
            SurveyResponse.objects.create(
                invite=invite, survey=survey, person=person, score=score, answered_at=at
            )
    for n in range(3):
        surveyable(email=f"fan{n}@example.com")

    sign_in(page, "maya")
    page.goto(f"/voice/surveys/{survey.pk}/")
    expect(page.locator("svg#nps-by-month")).to_be_visible()
    expect(page.locator("svg#nps-by-channel circle")).to_have_count(2)
    page.get_by_role("button", name="Send to “Everyone” now").click()
    page.get_by_text("Sending in the background").wait_for()
    expect(page.locator("#job-bar")).to_be_visible()
    screenshot(page, "voice-survey-sending")
    assert run_voice_jobs() == 1
    page.get_by_text("asked; ").wait_for(timeout=10_000)
    expect(page.locator("#send-job-done")).to_contain_text("3 asked")
    screenshot(page, "voice-survey-sent")
    page.goto("/voice/surveys/")
    expect(page.locator("svg#nps-by-month polygon")).to_have_count(1)
    screenshot(page, "voice-surveys-nps")
