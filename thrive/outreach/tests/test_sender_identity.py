"""Every email comes from the business as the owner set it on the settings page: a
campaign's messages and transactional ones alike, with her Reply-To."""

from __future__ import annotations

import pytest
from django.test import Client

from thrive.accounts import services as account_services
from thrive.core.roles import Role
from thrive.outreach.sending.dispatch import create_campaign, send_campaign
from thrive.outreach.sending.sender import run_pump
from thrive.segments.models import Segment
from thrive.testing.factories import AssociateFactory

from .conftest import consenting_person, make_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_with_sender():
    owner = AssociateFactory(username="kettle-owner", role=Role.OWNER, email="own@kettle.example")
    account_services.update_business_settings(
        actor=owner,
        values={
            "name": "Kettle & Crow", "sender_name": "Ann at Kettle & Crow",
            "sender_email": "ann@kettle.example", "reply_to": "shop@kettle.example",
        },
    )  # fmt: skip
    return owner


def test_a_campaign_email_comes_from_the_owners_sender_with_her_reply_to(
    smtp_sink, owner_with_sender
):
    people = [consenting_person(first_name="Bo"), consenting_person(first_name="Cy")]
    segment = Segment.objects.create(name="All", rules={"match": "all", "rules": []})
    campaign = create_campaign(
        actor=owner_with_sender, name="Spring", segment=segment, template=make_template()
    )
    send_campaign(campaign, actor=owner_with_sender)
    run_pump()
    received = smtp_sink.wait_for(2)
    assert sorted(r.recipients[0] for r in received) == sorted(p.email for p in people)
    for got in received:
        assert got.message["From"] == "Ann at Kettle & Crow <ann@kettle.example>"
        assert got.message["Reply-To"] == "shop@kettle.example"
        assert got.message["Message-ID"].endswith("@kettle.example>")


def test_a_transactional_email_comes_from_the_owners_sender_with_her_reply_to(
    smtp_sink, owner_with_sender, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password-reset/", {"email": "own@kettle.example"})
    [got] = smtp_sink.wait_for(1)
    assert got.recipients == ["own@kettle.example"]
    assert got.message["From"] == "Ann at Kettle & Crow <ann@kettle.example>"
    assert got.message["Reply-To"] == "shop@kettle.example"


def test_without_a_sender_the_business_name_signs_the_default_address(smtp_sink, settings):
    owner = AssociateFactory(username="o2", role=Role.OWNER, email="o2@kettle.example")
    account_services.update_business_settings(actor=owner, values={"name": "Kettle & Crow"})
    person = consenting_person()
    segment = Segment.objects.create(name="All", rules={"match": "all", "rules": []})
    campaign = create_campaign(actor=owner, name="S", segment=segment, template=make_template())
    send_campaign(campaign, actor=owner)
    run_pump()
    [got] = smtp_sink.wait_for(1)
    assert got.recipients == [person.email]
    assert got.message["From"] == "Kettle & Crow <thrive@localhost>"
    assert got.message["Reply-To"] is None
