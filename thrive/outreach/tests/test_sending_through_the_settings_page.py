"""A campaign email goes through the SMTP server the owner keeps on the settings page
(password and all), when the server sets no EMAIL_URL."""

from __future__ import annotations

import pytest

from thrive.accounts.services import update_business_settings
from thrive.core import business
from thrive.core.testing.smtp import SmtpSink
from thrive.outreach.models import Delivery, DeliveryStatus
from thrive.outreach.sending.sender import run_pump
from thrive.outreach.services import send_email

from .conftest import consenting_person, make_template

pytestmark = pytest.mark.django_db


def test_an_email_goes_through_the_owners_smtp_server_once_switched_on(
    owner, settings, monkeypatch
):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    settings.MAILERS = {
        "default": {"BACKEND": business.STORED_MAILER_BACKEND, "OPTIONS": {"fallback": "memory:"}}
    }
    sink = SmtpSink(credentials=("shop@kettle.example", "s3cret"))
    sink.start()
    try:
        update_business_settings(
            actor=owner,
            values={
                "smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_security": "none",
                "smtp_username": "shop@kettle.example", "send_real_email": True,
            },  # fmt: skip
            smtp_password="s3cret",
        )
        business.clear_cache()
        person = consenting_person(first_name="Ana")
        send_email(person, template=make_template(), idempotency_key="k1", reason={"why": "t"})
        run_pump()
        [received] = sink.wait_for(1)
    finally:
        sink.stop()
    assert received.recipients == [person.email]
    assert received.message["Subject"] == "Hello Ana"
    assert Delivery.objects.get().status == DeliveryStatus.SENT
