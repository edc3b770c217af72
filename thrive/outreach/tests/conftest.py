"""Settings and helpers for the outreach tests (the SMTP sink is in core.testing.smtp)."""

from __future__ import annotations

from typing import Any

import pytest

from thrive.contacts.models import ConsentMethod, ConsentPurpose
from thrive.contacts.services import grant_consent
from thrive.core.testing.smtp import SmtpSink, smtp_sink  # noqa: F401 (re-exported)
from thrive.outreach.models import EmailTemplate
from thrive.testing.factories import PersonFactory


@pytest.fixture(autouse=True)
def outreach_settings(settings):
    """No quiet hours unless a test sets them (tests run at any hour), quick retries,
    links on the test server."""
    settings.THRIVE_QUIET_HOURS = "off"
    settings.THRIVE_PUBLIC_URL = "http://testserver"
    settings.THRIVE_MAX_AUTOMATED_PER_WEEK = 2
    settings.THRIVE_OUTREACH_RETRY_SECONDS = 60
    return settings


def make_template(name: str = "Hello", **fields: Any) -> EmailTemplate:
    values = {
        "subject": 'Hello {{ person.first_name|default:"there" }}',
        "html_body": (
            '<p>Hi {{ person.first_name|default:"there" }},</p>'
            '<p><a href="https://example.org/beans?a=1&amp;b=2">Our beans</a></p>'
        ),
        "text_body": "",
    }
    values.update(fields)
    return EmailTemplate.objects.create(name=name, **values)


def consenting_person(**fields: Any):
    person = PersonFactory(**fields)
    grant_consent(
        person,
        ConsentPurpose.EMAIL_MARKETING,
        actor=None,
        method=ConsentMethod.WEB_FORM,
        source_text="Send me news.",
    )
    return person
