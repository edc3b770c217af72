"""Transactional email is signed with the business's name as the owner keeps it."""

from __future__ import annotations

import pytest
from django.test import Client

from thrive.accounts.models import Business
from thrive.testing.factories import AssociateFactory

pytestmark = pytest.mark.django_db


def test_a_password_reset_comes_from_the_business_marked_auto_generated(
    smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Thrive <hello@kettle.example>"
    Business.objects.create(name="Kettle & Crow")
    AssociateFactory(username="tom", email="tom@kettle.example")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password-reset/", {"email": "tom@kettle.example"})
    [received] = smtp_sink.wait_for(1)
    got = received.message
    assert received.recipients == ["tom@kettle.example"]
    assert str(got["From"]) == "Kettle & Crow <hello@kettle.example>"
    assert got["Auto-Submitted"] == "auto-generated"
    text = got.get_body(preferencelist=("plain",)).get_content()
    html = got.get_body(preferencelist=("html",)).get_content()
    assert "/accounts/reset/" in text and 'href="http://testserver/accounts/reset/' in html
