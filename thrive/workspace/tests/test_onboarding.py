"""The getting-started checklist on the dashboard ticks itself from the real state."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from thrive.accounts import services as account_services
from thrive.accounts.models import Business
from thrive.automations.models import TriggerKind, Workflow, WorkflowStatus
from thrive.conftest import client_for
from thrive.core.config import mailer_settings
from thrive.core.roles import Role
from thrive.core.testing.db import no_writes
from thrive.testing.factories import AssociateFactory, PersonFactory
from thrive.workspace.onboarding import checklist_for

pytestmark = pytest.mark.django_db

ALL = ["basics", "sender", "public_url", "contacts", "email", "colleague", "workflow"]


@pytest.fixture(autouse=True)
def nothing_from_the_server(monkeypatch, settings):
    for name in ("THRIVE_PUBLIC_URL", "THRIVE_SERVED_URL", "THRIVE_TIME_ZONE",
                 "THRIVE_CURRENCY", "THRIVE_BUSINESS_NAME"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    settings.MAILERS = {"default": mailer_settings("console:")}


def done(owner) -> list[str]:
    with no_writes():
        checklist = checklist_for(owner)
    return [] if checklist is None else [s.key for s in checklist["steps"] if s.done]


def test_each_item_ticks_itself_from_what_the_owner_has_done(owner, settings):
    assert done(owner) == []
    account_services.update_business_settings(
        actor=owner, values={"name": "Kettle", "time_zone": "Europe/Paris", "currency": "EUR"}
    )
    assert done(owner) == ["basics"]
    account_services.update_business_settings(
        actor=owner, values={"sender_email": "hi@kettle.example"}
    )
    account_services.update_business_settings(
        actor=owner, values={"public_url": "https://crm.kettle.example"}
    )
    assert done(owner) == ["basics", "sender", "public_url"]
    PersonFactory()
    settings.MAILERS = {"default": mailer_settings("smtp://mail.kettle.example:587")}
    AssociateFactory(username="colleague", role=Role.MEMBER)
    assert done(owner) == ["basics", "sender", "public_url", "contacts", "email", "colleague"]
    Workflow.objects.create(
        name="Welcome", trigger=TriggerKind.choices[0][0], status=WorkflowStatus.ACTIVE
    )
    # All done: the checklist is gone.
    assert checklist_for(owner) is None


def test_the_dashboard_shows_owners_the_checklist_with_links(owner, member):
    page = client_for(owner).get("/").text
    # The member is a second active associate: "invite a colleague" is done.
    assert "Getting started: 1 of 7 done" in page
    assert 'data-step="colleague" data-done="yes"' in page
    for step in set(ALL) - {"colleague"}:
        assert f'data-step="{step}" data-done="no"' in page
    assert 'href="/imports/"' in page and 'href="/settings/"' in page
    assert "Getting started" not in client_for(member).get("/").text


def test_rendering_the_checklist_writes_nothing(owner):
    request = RequestFactory().get("/")
    request.user = owner
    from thrive.workspace.templatetags.onboarding_tags import onboarding_checklist

    with no_writes():
        html = render_to_string(
            "accounts/_onboarding.html", onboarding_checklist({"request": request})
        )
    assert "Getting started: 0 of 7 done" in html


def test_dismissing_hides_it_for_good_and_only_an_owner_may(owner, member):
    assert client_for(member).post("/settings/onboarding/dismiss").status_code == 403
    assert client_for(owner).post("/settings/onboarding/dismiss").status_code == 302
    assert Business.objects.get().onboarding_dismissed_at is not None
    assert checklist_for(owner) is None
    assert "Getting started" not in client_for(owner).get("/").text
