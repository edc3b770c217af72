"""Settings and builders for the lead-form tests (the SMTP sink is core's fixture)."""

from __future__ import annotations

from typing import Any

import pytest

from thrive.contacts.models import ConsentPurpose
from thrive.outreach.models import EmailTemplate, MessagePurpose, OnCap
from thrive.outreach.sending.sequencing import add_step, create_sequence

from ..models import LeadForm
from ..services import save_form

MARKETING = ConsentPurpose.EMAIL_MARKETING.value
CONSENT_WORDS = "Email me the lessons and news. I can unsubscribe at any time."


@pytest.fixture(autouse=True)
def leadform_settings(settings):
    """No quiet hours (tests run at any hour), links on the test server."""
    settings.THRIVE_QUIET_HOURS = "off"
    settings.THRIVE_PUBLIC_URL = "http://testserver"
    return settings


def course(name: str = "Course", steps: int = 2, purpose: str = MessagePurpose.EMAIL_MARKETING):
    sequence = create_sequence(actor=None, name=name, purpose=purpose, on_cap=OnCap.DEFER)
    for number in range(1, steps + 1):
        template = EmailTemplate.objects.create(
            name=f"{name} {number}", subject=f"Lesson {number}",
            html_body=f"<p>Hi {{{{ person.first_name }}}}, lesson {number}.</p>",
        )  # fmt: skip
        add_step(sequence, actor=None, template=template, delay_hours=0 if number == 1 else 48)
    return sequence


def make_form(**overrides: Any) -> LeadForm:
    rows = overrides.pop("rows", [
        {"target": "first_name", "label": "First name"},
        {"target": "email", "label": "Email", "required": True},
    ])  # fmt: skip
    values = {"name": "Brew course", "slug": "brew-course", "consent_texts": {},
              "thank_you_text": "Thanks!", **overrides}  # fmt: skip
    return save_form(None, actor=None, values=values, rows=rows)
