""" "Send me a test": a template rendered for a chosen person (or sample data) and sent to
the signed-in associate's own address, never to the person.

It goes through the normal mail backend as a transactional message, marked as a test in
its subject and an ``X-Thrive-Test`` header. No Delivery row is written, so it is not
counted as a delivery, does not touch the weekly limit and never shows in reports.
Rate limited per associate, because each one sends an email.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError

from thrive.contacts.models import Person
from thrive.core.ratelimit import Limit, hit
from thrive.core.roles import check_actor
from thrive.core.transactional_email import build_message, send_now

from ..models import EmailTemplate
from .merge_data import merge_context, sample_context
from .sandbox import render_parts

TESTS_PER_ASSOCIATE = Limit(10, dt.timedelta(hours=1), "template_test_per_associate")
TEST_HEADER = "X-Thrive-Test"


def send_test_to_self(template: EmailTemplate, *, actor: Any, person: Person | None = None) -> str:
    """Send the test; return the address it went to. Raises ValidationError when the
    associate has no address, RateLimited past the limit, TemplateProblem for a template
    that no longer renders, and the mail server's error if it refuses."""
    check_actor(actor)
    address = (getattr(actor, "email", "") or "").strip()
    if not address:
        raise ValidationError(
            "Your account has no email address, so there is nowhere to send the test. "
            "Add one to your profile first."
        )
    hit(f"template_test:{actor.pk}", TESTS_PER_ASSOCIATE)
    data = merge_context(person) if person is not None else sample_context()
    data["unsubscribe_url"] = "#unsubscribe"  # a test unsubscribes nobody
    rendered = render_parts(
        subject=template.subject,
        html_body=template.html_body,
        text_body=template.text_body,
        data=data,
    )
    who = f"as {person.full_name or person.email}" if person is not None else "with sample data"
    message = build_message(
        to=address,
        subject=f"[Test] {rendered.subject}",
        text=f"Test of “{template.name}” {who}.\n\n{rendered.text}",
        html=rendered.html or None,
    )
    message.extra_headers[TEST_HEADER] = f"template {template.pk}"
    send_now(message)
    return address
