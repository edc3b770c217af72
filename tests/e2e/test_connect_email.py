"""An owner connects the business's mail server on the settings page, sends herself a test
email and sees the checklist's "Connect email" ticked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from thrive.core import business
from thrive.core.roles import Role
from thrive.core.testing.smtp import SmtpSink
from thrive.testing.factories import AssociateFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sink(settings, monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    settings.MAILERS = {
        "default": {"BACKEND": business.STORED_MAILER_BACKEND, "OPTIONS": {"fallback": "memory:"}}
    }
    business.clear_cache()
    server = SmtpSink(credentials=("maya@kettle.example", "app-password-1"))
    server.start()
    yield server
    server.stop()
    business.clear_cache()


def test_an_owner_connects_email_and_sends_herself_a_test(page, sink):
    AssociateFactory(username="maya", role=Role.OWNER, email="maya@kettle.example")
    sign_in(page, "maya")
    page.goto("/")
    page.locator("#onboarding").get_by_role("link", name="Connect email").click()
    section = page.locator("#email-delivery")
    section.get_by_label("SMTP server").fill("127.0.0.1")
    section.get_by_label("Port").fill(str(sink.port))
    section.get_by_label("Security").select_option("none")
    section.get_by_label("User name").fill("maya@kettle.example")
    section.get_by_label("SMTP password").fill("app-password-1")
    section.get_by_label("Send real email through this server").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text("Saved")
    expect(page.locator("#email-delivery")).to_contain_text("A password is saved")
    expect(page.get_by_label("SMTP password")).to_have_value("")

    page.get_by_role("button", name="Send a test email").click()
    expect(page.locator(".messages")).to_contain_text("Sent a test email to maya@kettle.example")
    assert [m.recipients for m in sink.wait_for(1)] == [["maya@kettle.example"]]
    screenshot(page, "settings-email-connected")

    page.goto("/")
    checklist = page.locator("#onboarding")
    expect(checklist).to_contain_text("1 of 7 done")
