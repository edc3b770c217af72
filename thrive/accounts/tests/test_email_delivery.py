"""Email delivery from the settings page: the owner's SMTP server (password sealed at rest,
never shown back), the "Send a test email" button, and EMAIL_URL on the server winning."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import mailers
from django.db import connection

from thrive.accounts.models import Business, SettingChange
from thrive.accounts.services import update_business_settings
from thrive.conftest import client_for
from thrive.core import business
from thrive.core.testing.smtp import SmtpSink, _free_port
from thrive.core.transactional_email import build_message, send_now
from thrive.workspace.onboarding import steps

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
BASICS = {"other_currencies": "separately", "brand_colour": "#0f766e"}


@pytest.fixture(autouse=True)
def no_email_url(monkeypatch, settings):
    """As settings.py is without EMAIL_URL: the settings page decides, kept in memory
    (instead of printed) until an SMTP server is switched on."""
    monkeypatch.delenv("EMAIL_URL", raising=False)
    settings.MAILERS = {
        "default": {"BACKEND": business.STORED_MAILER_BACKEND, "OPTIONS": {"fallback": "memory:"}}
    }


@pytest.fixture
def auth_sink():
    sink = SmtpSink(credentials=("shop@kettle.example", PASSWORD))
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def mailbox_owner(owner):
    owner.email = "owner@kettle.example"
    owner.save(update_fields=["email"])
    return owner


def smtp_form(sink_port: int, *, password: str = PASSWORD, on: bool = True, **more) -> dict:
    data = {
        **BASICS, "smtp_host": "127.0.0.1", "smtp_port": str(sink_port),
        "smtp_security": "none", "smtp_username": "shop@kettle.example",
        "smtp_password": password, **more,
    }  # fmt: skip
    if on:
        data["send_real_email"] = "on"
    return data


def save_server(owner, port: int, *, password: str = PASSWORD, on: bool = True) -> None:
    update_business_settings(
        actor=owner,
        values={
            "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none",
            "smtp_username": "shop@kettle.example", "send_real_email": on,
        },  # fmt: skip
        smtp_password=password,
    )
    business.clear_cache()


def test_the_password_is_sealed_at_rest_never_shown_and_only_its_change_audited(owner):
    client = client_for(owner)
    response = client.post("/settings/", smtp_form(2525))
    assert response.status_code == 302, response.content.decode()[:2000]
    with connection.cursor() as cursor:
        cursor.execute("SELECT smtp_password_sealed FROM accounts_business")
        (raw,) = cursor.fetchone()
    assert raw and PASSWORD not in raw and "horse" not in raw
    business.clear_cache()
    assert business.stored_smtp_options()["password"] == PASSWORD

    page = client.get("/settings/").content.decode()
    assert PASSWORD not in page and raw not in page
    assert "A password is saved; leave this blank to keep it." in page
    changes = list(SettingChange.objects.values_list("field", "old_value", "new_value"))
    assert ("SMTP password", "", "password changed") in changes
    assert ("SMTP server", "", "127.0.0.1") in changes
    assert not any(PASSWORD in value or raw in value for row in changes for value in row)


def test_a_blank_password_field_keeps_the_saved_password(owner):
    client = client_for(owner)
    client.post("/settings/", smtp_form(2525))
    sealed = Business.objects.get().smtp_password_sealed
    response = client.post("/settings/", smtp_form(2526, password=""))
    assert response.status_code == 302
    row = Business.objects.get()
    assert row.smtp_port == 2526 and row.smtp_password_sealed == sealed
    assert SettingChange.objects.filter(field="SMTP password").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("smtp_host", "smtp://mail.example.com", "Write the server&#x27;s name only"),
        ("smtp_host", "mail example.com", "Write the server&#x27;s name only"),
        ("smtp_port", "70000", "from 1 to 65535"),
        ("smtp_port", "0", "from 1 to 65535"),
        ("smtp_host", "", "Give the SMTP server&#x27;s name"),
    ],
)
def test_a_bad_server_or_port_is_refused_with_a_clear_error(owner, field, value, error):
    response = client_for(owner).post("/settings/", smtp_form(2525, **{field: value}))
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Business.objects.filter(smtp_password_sealed__gt="").exists()


def test_transactional_and_batch_email_go_through_the_stored_server(owner, auth_sink):
    message = build_message(to="ann@example.com", subject="Your receipt", text="Thanks")
    save_server(owner, auth_sink.port, on=False)
    send_now(message)  # switched off: the built-in default (memory here), not the server
    assert len(mail.outbox) == 1 and auth_sink.messages == []
    assert not business.mail_is_connected()

    save_server(owner, auth_sink.port, on=True)
    send_now(message)
    # A campaign batch: one open connection, several messages (outreach's sender).
    mailer = mailers.default
    mailer.open()
    try:
        for who in ("bo@example.com", "cy@example.com"):
            mailer.send_messages([build_message(to=who, subject="News", text="Hi")])
    finally:
        mailer.close()
    received = auth_sink.wait_for(3)
    assert [m.recipients for m in received] == [
        ["ann@example.com"], ["bo@example.com"], ["cy@example.com"]
    ]
    assert len(mail.outbox) == 1
    assert business.mail_is_connected()


def test_email_url_on_the_server_wins_and_the_page_says_so(owner, smtp_sink):
    # smtp_sink sets MAILERS as settings.py does from EMAIL_URL.
    save_server(owner, _free_port(), on=True)
    send_now(build_message(to="ann@example.com", subject="Hello", text="Hi"))
    assert [m.recipients for m in smtp_sink.wait_for(1)] == [["ann@example.com"]]
    page = client_for(owner).get("/settings/").content.decode()
    assert "EMAIL_URL on the server decides where email goes" in page
    assert 'name="smtp_host"' in page and "Send a test email</button>" not in page
    host_input = page[page.index('name="smtp_host"') - 200 : page.index('name="smtp_host"') + 200]
    assert "disabled" in host_input


def test_the_test_button_sends_to_the_owner_through_the_saved_server(mailbox_owner, auth_sink):
    save_server(mailbox_owner, auth_sink.port, on=False)  # testable before switching on
    response = client_for(mailbox_owner).post("/settings/email/test", follow=True)
    assert response.status_code == 200
    assert "Sent a test email to owner@kettle.example" in response.content.decode()
    assert [m.recipients for m in auth_sink.wait_for(1)] == [["owner@kettle.example"]]


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("wrong password", "Authentication failed"),
        ("closed port", "Connection refused"),
        ("starttls", "TLS problem"),
    ],
)
def test_the_test_button_explains_a_failure_in_plain_words(mailbox_owner, auth_sink, how, expected):
    port = _free_port() if how == "closed port" else auth_sink.port
    save_server(mailbox_owner, port, password="wrong" if how == "wrong password" else PASSWORD)
    if how == "starttls":  # the sink offers no STARTTLS
        Business.objects.update(smtp_security="starttls")
        business.clear_cache()
    response = client_for(mailbox_owner).post("/settings/email/test", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"The test email was not sent. {expected}" in page
    assert auth_sink.messages == []


def test_members_cannot_send_a_test_email_and_owners_are_rate_limited(
    mailbox_owner, member, auth_sink, settings
):
    save_server(mailbox_owner, auth_sink.port)
    assert client_for(member).post("/settings/email/test").status_code == 403
    settings.THRIVE_RATE_LIMITS = {"smtp_test_per_associate": (1, 3600)}
    client = client_for(mailbox_owner)
    client.post("/settings/email/test")
    second = client.post("/settings/email/test", follow=True).content.decode()
    assert "Too many test emails" in second
    assert len(auth_sink.wait_for(1)) == 1


def test_the_checklist_ticks_connect_email_once_the_server_is_switched_on(owner, auth_sink):
    def email_step():
        business.clear_cache()
        return next(step for step in steps() if step.key == "email")

    assert not email_step().done
    assert email_step().url.endswith("/settings/#email-delivery")
    assert "EMAIL_URL" not in email_step().how and "Settings" in email_step().how
    save_server(owner, auth_sink.port, on=False)
    assert not email_step().done
    save_server(owner, auth_sink.port, on=True)
    assert email_step().done
