"""Password reset by email, without being signed in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from thrive.testing.factories import AssociateFactory

pytestmark = pytest.mark.django_db


def test_an_associate_resets_a_forgotten_password_by_email(django_capture_on_commit_callbacks):
    AssociateFactory(username="tom", email="tom@kettle.example")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password-reset/", {"email": "tom@kettle.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["tom@kettle.example"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-Roast-2026!", "new_password2": "a-new-Roast-2026!"},
    )
    assert done.status_code == 302
    assert Client().login(username="tom", password="a-new-Roast-2026!")


def test_an_unknown_email_reveals_nothing_and_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"].endswith("/sent/")
    assert mail.outbox == []


def test_a_used_reset_link_does_not_work_twice(django_capture_on_commit_callbacks):
    AssociateFactory(username="ann", email="ann@kettle.example")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password-reset/", {"email": "ann@kettle.example"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "Xy-9-long-pass!", "new_password2": "Xy-9-long-pass!"},
    )
    again = Client().get(link, follow=True)
    assert again.context["validlink"] is False
    assert b"expired or was already used" in again.content


def test_300_reset_requests_for_one_owner_send_three_emails(django_capture_on_commit_callbacks):
    AssociateFactory(username="own", email="own@kettle.example")
    with django_capture_on_commit_callbacks(execute=True):
        codes = [
            Client(REMOTE_ADDR=f"198.51.{n // 250}.{n % 250}").post(
                "/accounts/password-reset/", {"email": "own@kettle.example"}
            ).status_code
            for n in range(300)
        ]
    assert codes[:3] == [302] * 3 and set(codes[3:]) == {429}
    assert len(mail.outbox) == 3


def test_reset_requests_from_one_address_are_limited_with_a_friendly_page():
    codes = [Client().post("/accounts/password-reset/", {"email": f"x{n}@example.com"})
             for n in range(6)]  # fmt: skip
    assert [c.status_code for c in codes] == [302] * 5 + [429]
    assert "Too many attempts; try again in" in codes[-1].content.decode()
    assert codes[-1]["Retry-After"]


def test_a_filled_honeypot_sends_no_reset_email():
    AssociateFactory(username="hp", email="hp@kettle.example")
    page = Client().get("/accounts/password-reset/").content.decode()
    assert 'name="website_url"' in page and 'class="hp-field"' in page
    response = Client().post("/accounts/password-reset/",
                             {"email": "hp@kettle.example", "website_url": "x"})  # fmt: skip
    assert response.status_code == 400 and mail.outbox == []


def test_setting_new_passwords_is_limited_per_address(settings):
    settings.THRIVE_RATE_LIMITS = {"password_reset_confirm_per_ip": (1, 3600)}
    first = Client().post("/accounts/reset/MQ/set-password/", {"new_password1": "x"})
    second = Client().post("/accounts/reset/MQ/set-password/", {"new_password1": "x"})
    assert first.status_code != 429 and second.status_code == 429
