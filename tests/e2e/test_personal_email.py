"""One-to-one email in a real browser: Tom opens a customer's page, writes with a merge
field, previews, sends (a double click sends once) and sees it on the timeline; then he
previews his daily digest from his profile."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from thrive.contacts.models import Activity, ActivityKind
from thrive.core.roles import Role
from thrive.outreach.sending.sender import run_pump
from thrive.tasks.services import create_task
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_tom_emails_a_customer_from_her_page_and_sees_it_on_the_timeline(page, smtp_sink, settings):
    settings.THRIVE_BUSINESS_NAME = "Kettle & Crow"
    tom = AssociateFactory(username="tom", first_name="Tom", last_name="Reyes",
                           role=Role.MEMBER, email="tom@kettle.example")  # fmt: skip
    lea = PersonFactory(first_name="Lea", last_name="Park", email="lea@example.com")
    sign_in(page, "tom")
    page.goto(f"/people/{lea.pk}/")
    page.get_by_role("link", name="Email Lea").click()
    expect(page.get_by_role("heading", name="Email Lea Park")).to_be_visible()
    expect(page.get_by_text("From Tom Reyes at Kettle & Crow")).to_be_visible()
    page.get_by_label("Subject").fill("Your grinder, ")
    page.get_by_label("Subject").press("End")
    page.get_by_role("button", name="First name", exact=True).click()
    expect(page.get_by_label("Subject")).to_have_value("Your grinder, {{ person.first_name }}")
    page.get_by_label("Message").fill("Hi {{ person.first_name }}, the burrs arrived today.")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("preview-text")).to_have_text("Hi Lea, the burrs arrived today.")
    page.get_by_label("Minutes spent").fill("7")
    screenshot(page, "personal-email-compose")
    page.get_by_role("button", name="Send").dblclick()
    expect(page.get_by_text("Sent to lea@example.com.")).to_be_visible()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Your grinder, Lea")
    expect(timeline).to_contain_text("Tom Reyes · 7 min")
    screenshot(page, "personal-email-timeline")
    run_pump()
    [received] = smtp_sink.to("lea@example.com")
    assert str(received.message["Reply-To"]) == "tom@kettle.example"
    assert Activity.objects.filter(person=lea, kind=ActivityKind.EMAIL).count() == 1
    assert tom.pk == Activity.objects.get(person=lea, kind=ActivityKind.EMAIL).associate_id


def test_a_marketing_email_to_someone_without_consent_is_refused_in_words(page):
    AssociateFactory(username="tom", role=Role.MEMBER, email="tom@kettle.example")
    ken = PersonFactory(first_name="Ken", email="ken@example.com")
    sign_in(page, "tom")
    page.goto(f"/outreach/email/{ken.pk}/")
    page.get_by_label("Subject").fill("20% off beans")
    page.get_by_label("Message").fill("This week only.")
    page.get_by_label("This is marketing").check()
    page.get_by_role("button", name="Send").click()
    expect(
        page.get_by_role("alert").filter(has_text="Ken has not agreed to marketing email")
    ).to_be_visible()
    assert not Activity.objects.filter(person=ken, kind=ActivityKind.EMAIL).exists()


def test_tom_previews_his_daily_digest_from_his_profile(page):
    tom = AssociateFactory(username="tom", first_name="Tom", role=Role.MEMBER,
                           email="tom@kettle.example")  # fmt: skip
    create_task(actor=None, title="Call back about the sour espresso", assignee=tom,
                due_at=timezone.now() - dt.timedelta(hours=3))  # fmt: skip
    sign_in(page, "tom")
    page.goto("/settings/profile/")
    expect(page.get_by_role("heading", name="Email notifications")).to_be_visible()
    page.get_by_label("Send me a daily digest").uncheck()
    page.get_by_role("button", name="Save notifications").click()
    expect(page.get_by_text("Saved your email notifications.")).to_be_visible()
    expect(page.get_by_label("Send me a daily digest")).not_to_be_checked()
    page.get_by_role("link", name="Preview my digest").click()
    expect(page.get_by_role("heading", name="Preview my digest")).to_be_visible()
    expect(page.get_by_text("Call back about the sour espresso")).to_be_visible()
    expect(page.get_by_text("You switched the daily digest off")).to_be_visible()
    screenshot(page, "digest-preview")
