"""Shared helpers for the customer-voice tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from thrive.contacts.models import ConsentMethod, ConsentPurpose, Person
from thrive.contacts.services import grant_consent
from thrive.core.testing.tasks import run_queued
from thrive.testing.factories import PersonFactory
from thrive.voice.views.portal import SESSION_KEY


@pytest.fixture(autouse=True)
def voice_settings(settings):
    """Links on the test server; no quiet hours (tests run at any hour)."""
    settings.THRIVE_PUBLIC_URL = "http://testserver"
    settings.THRIVE_QUIET_HOURS = "off"
    settings.THRIVE_MAX_AUTOMATED_PER_WEEK = 20
    return settings


def surveyable(**fields: Any) -> Person:
    person = PersonFactory(**fields)
    grant_consent(person, ConsentPurpose.SURVEYS, actor=None, method=ConsentMethod.WEB_FORM,
                  source_text="Ask me for feedback.")  # fmt: skip
    return person


def portal_client(person: Person, **kwargs: Any) -> Client:
    """A browser signed in to the public portal as ``person`` (no staff account)."""
    client = Client(**kwargs)
    session = client.session
    session[SESSION_KEY] = person.pk
    session.save()
    return client


def run_voice_jobs() -> int:
    """Run the customer-voice jobs waiting in the task queue, as ``thrive worker`` would;
    returns how many ran. Queue them first by executing the on-commit callbacks
    (``django_capture_on_commit_callbacks(execute=True)``)."""
    return run_queued("run_send_job_task")
