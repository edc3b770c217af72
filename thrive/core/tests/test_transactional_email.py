"""Transactional email goes out after commit, as the business, in two parts, marked as
written by a machine, over a real SMTP connection."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from thrive.core import transactional_email
from thrive.core.config import mailer_settings
from thrive.core.testing.smtp import _free_port
from thrive.core.transactional_email import (
    Attachment,
    build_message,
    send_after_commit,
    send_now,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def named_sender(settings):
    settings.DEFAULT_FROM_EMAIL = "Thrive <hello@kettle.example>"
    settings.THRIVE_BUSINESS_NAME = "Kettle & Crow, Roasters"


def message(**extra):
    return build_message(
        to="ann@example.com",
        subject="Your sign-in link",
        text="Hello,\n\nOpen https://thrive.example/s/abc?x=1&y=2 <soon>.\n",
        **extra,
    )


def test_a_message_is_sent_only_when_its_transaction_commits(smtp_sink, named_sender):
    with transaction.atomic():
        send_after_commit(message(), what="sign-in")
        assert smtp_sink.messages == []
    received = smtp_sink.wait_for(1)
    assert len(received) == 1 and received[0].recipients == ["ann@example.com"]


def test_a_rolled_back_transaction_sends_nothing(smtp_sink, named_sender):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_after_commit(message(), what="sign-in")
        raise RuntimeError("the request failed")
    send_after_commit(message(), what="sign-in")  # outside a transaction: at once
    assert len(smtp_sink.wait_for(1)) == 1


def test_the_message_has_the_business_as_sender_two_parts_and_rfc_3834_headers(
    smtp_sink, named_sender
):
    send_now(message(attachments=[Attachment("a.ics", "BEGIN:VCALENDAR", "text/calendar")]))
    got = smtp_sink.wait_for(1)[0].message
    assert str(got["From"]) == '"Kettle & Crow, Roasters" <hello@kettle.example>'
    assert got["Auto-Submitted"] == "auto-generated"
    assert got["X-Auto-Response-Suppress"] == "All"
    assert got["Message-ID"].endswith("@kettle.example>")
    text = got.get_body(preferencelist=("plain",)).get_content()
    html = got.get_body(preferencelist=("html",)).get_content()
    assert "https://thrive.example/s/abc?x=1&y=2 <soon>" in text
    assert '<a href="https://thrive.example/s/abc?x=1&amp;y=2"' in html
    assert "&lt;soon&gt;" in html and "<soon>" not in html
    assert [p.get_filename() for p in got.iter_attachments()] == ["a.ics"]


def test_a_message_a_person_wrote_is_not_marked_automatic(smtp_sink, named_sender):
    send_now(message(automatic=False))
    got = smtp_sink.wait_for(1)[0].message
    assert got["Auto-Submitted"] is None


def test_a_subject_cannot_smuggle_a_header(smtp_sink, named_sender):
    send_now(build_message(to="ann@example.com", subject="Hi\nBcc: eve@example.com", text="x"))
    got = smtp_sink.wait_for(1)[0]
    assert got.recipients == ["ann@example.com"] and got.message["Bcc"] is None
    assert got.message["Subject"] == "Hi Bcc: eve@example.com"


def test_without_a_business_name_the_settings_own_name_is_used(smtp_sink, settings):
    settings.DEFAULT_FROM_EMAIL = "Front Desk <hello@kettle.example>"
    assert transactional_email.sender() == "Front Desk <hello@kettle.example>"


def test_a_mail_server_failure_after_commit_is_logged_not_raised(settings, caplog):
    settings.MAILERS = {"default": mailer_settings(f"smtp://127.0.0.1:{_free_port()}?timeout=2")}
    with caplog.at_level(logging.ERROR), transaction.atomic():
        send_after_commit(message(), what="sign-in")
    assert "Could not send the sign-in email to ann@example.com" in caplog.text
