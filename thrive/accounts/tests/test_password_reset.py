"""Password reset by email, without being signed in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from thrive.testing.factories import AssociateFactory

pytestmark = pytest.mark.django_db


def test_an_associate_resets_a_forgotten_password_by_email():
    AssociateFactory(username="tom", email="tom@kettle.example")
    client = Client()
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


def test_an_unknown_email_reveals_nothing_and_sends_nothing():
    response = Client().post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"].endswith("/sent/")
    assert mail.outbox == []


def test_a_used_reset_link_does_not_work_twice():
    AssociateFactory(username="ann", email="ann@kettle.example")
    client = Client()
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
