"""Emails to customers and partners speak in the business's name, received by a real SMTP
server: the HTML part has the business's name (and logo) on top and at the foot, in its
colour; the words avoid the broken possessive ("Kettle & Crow Coffee Roasters's"); the
campaign footer names who the reader hears from; "Thrive" is nowhere in the body."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.test import Client

from thrive.accounts.models import Business
from thrive.bookings.models import Availability, SessionType
from thrive.contacts.models import ConsentMethod, ConsentPurpose
from thrive.contacts.services import grant_consent
from thrive.core.brand import DEFAULT_ACCENT, brand_from, email_layout
from thrive.outreach.sending.sender import run_pump
from thrive.outreach.services import send_email
from thrive.outreach.tests.conftest import consenting_person, make_template
from thrive.testing.factories import AssociateFactory, PersonFactory
from thrive.voice.models import IdeaStatus
from thrive.voice.services import create_survey, send_survey_to
from thrive.voice.services.ideas import change_idea_status, submit_idea
from thrive.voice.services.portal import request_sign_in
from thrive.voice.tests.conftest import run_voice_jobs

pytestmark = pytest.mark.django_db

NAME = "Kettle & Crow Coffee Roasters"


@pytest.fixture(autouse=True)
def business(db, settings):
    settings.THRIVE_QUIET_HOURS = "off"  # tests run at any hour
    settings.THRIVE_PUBLIC_URL = "http://testserver"
    Business.objects.all().delete()
    return Business.objects.create(name=NAME, website="https://kettleandcrow.example")


def _parts(received) -> tuple[str, str]:
    message = received.message
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def _assert_branded(html: str) -> None:
    header = re.search(r'data-brand="header">(.*?)</td>', html, re.S)
    assert header and "Kettle &amp; Crow Coffee Roasters" in header.group(1)
    assert f"border-top:4px solid {DEFAULT_ACCENT}" in html
    assert "https://kettleandcrow.example" in html  # the foot links the business's site
    assert "Thrive" not in html


def test_the_idea_board_sign_in_email_names_the_business_without_a_broken_possessive(
    smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_sign_in(email="ana@example.com", ip_address=None)
    [received] = smtp_sink.to("ana@example.com")
    text, html = _parts(received)
    assert "sign in to the idea board of Kettle & Crow Coffee Roasters:" in text
    assert "Roasters's" not in text and "Roasters&#x27;s" not in html
    _assert_branded(html)


def test_an_idea_update_names_the_business(smtp_sink, member, django_capture_on_commit_callbacks):
    ana = PersonFactory(email="ana@example.com")
    idea = submit_idea(ana, title="Grinder rental")
    with django_capture_on_commit_callbacks(execute=True):
        change_idea_status(idea, IdeaStatus.DONE, actor=member)
    run_voice_jobs()
    run_pump()
    [received] = smtp_sink.to("ana@example.com")
    text, html = _parts(received)
    assert "on the idea board of Kettle & Crow Coffee Roasters." in text
    assert "Roasters's" not in text
    _assert_branded(html)


def test_a_survey_invitation_names_the_business(smtp_sink, member):
    person = PersonFactory(email="fan@example.com")
    grant_consent(person, ConsentPurpose.SURVEYS, actor=None, method=ConsentMethod.WEB_FORM,
                  source_text="Ask me for feedback.")  # fmt: skip
    send_survey_to(create_survey(actor=member, name="NPS"), person)
    run_pump()
    [received] = smtp_sink.to("fan@example.com")
    _, html = _parts(received)
    _assert_branded(html)
    assert html.count("/s/") >= 11  # the score links are still inside


def test_a_booking_confirmation_names_the_business(smtp_sink, django_capture_on_commit_callbacks):
    maya = AssociateFactory(username="maya", email="maya@example.com", time_zone="UTC")
    for weekday in range(7):
        Availability.objects.create(associate=maya, weekday=weekday, start_time="08:00",
                                    end_time="20:00")
    SessionType.objects.create(name="Strategy session", slug="strategy", minutes=30)
    client = Client()
    slots = client.get("/book/maya/strategy/?tz=UTC").content.decode()
    form_url = re.search(r'href="(/book/maya/strategy/[^"?]+)\?', slots).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, {"first_name": "Ana", "email": "ana@example.com",
                                          "consent": "on", "tz": "UTC"})  # fmt: skip
    assert response.status_code == 302
    [received] = smtp_sink.to("ana@example.com")
    text, html = _parts(received)
    assert "See you then, Kettle & Crow Coffee Roasters" in text
    _assert_branded(html)


def test_the_campaign_footer_names_who_the_reader_hears_from(smtp_sink):
    person = consenting_person(email="reader@example.com")
    send_email(person, template=make_template(), idempotency_key="brand", reason={})
    run_pump()
    [received] = smtp_sink.to("reader@example.com")
    text, html = _parts(received)
    assert "You get this email from Kettle & Crow Coffee Roasters.\nUnsubscribe:" in text
    assert "You get this email from Kettle &amp; Crow Coffee Roasters." in html


def test_a_logo_is_shown_by_its_absolute_public_address(settings):
    settings.THRIVE_PUBLIC_URL = "https://crm.kettleandcrow.example"
    row = SimpleNamespace(name=NAME, logo="/media/brand/logo.png", brand_colour="#FFD700",
                          website="javascript:alert(1)")  # fmt: skip
    brand = brand_from(row, default_name="x")
    assert brand.accent == "#ffd700" and brand.accent_ink == "#111"  # dark text on gold
    assert brand.website == ""  # only http(s) addresses are links
    html = email_layout("<p>Hi</p>", brand)
    assert '<img src="https://crm.kettleandcrow.example/media/brand/logo.png"' in html


def test_a_colour_that_is_not_a_plain_hex_value_is_ignored():
    row = SimpleNamespace(name=NAME, brand_colour="red;} body{display:none")
    assert brand_from(row, default_name="x").accent == DEFAULT_ACCENT
    assert brand_from(None, default_name="Ana's Bakes").name == "Ana's Bakes"


def test_the_unsubscribe_confirmation_names_the_business(smtp_sink):
    person = consenting_person(email="leaver@example.com")
    send_email(person, template=make_template(), idempotency_key="leave", reason={})
    run_pump()
    [received] = smtp_sink.to("leaver@example.com")
    url = received.message["List-Unsubscribe"].strip("<>").split("testserver", 1)[1]
    page = Client().post(url, {"List-Unsubscribe": "One-Click"}).content.decode()
    assert "no more of these emails from Kettle &amp; Crow Coffee Roasters." in page
