"""The partner café refers a client through its portal, in a real browser: Maya emails
the café its portal link, the café opens it (once: the same link opens nothing for
anyone else), introduces a friend with their consent, and is thanked by email when the
friend becomes a client; the ecosystem map credits the café."""

from __future__ import annotations

import re

import pytest
from django.test import TestCase
from playwright.sync_api import expect

from thrive.analytics.refresh import run_refresh
from thrive.contacts.models import Person, RelationshipRole, Stage
from thrive.contacts.services import add_role, change_stage
from thrive.core.roles import Role
from thrive.prospects.leads import train_and_score
from thrive.prospects.portal import thank_partners
from thrive.prospects.profile import refresh_profile
from thrive.prospects.tests.test_customers import AS_OF, _business
from thrive.prospects.tests.test_leads import NOW, _history
from thrive.testing.factories import AssociateFactory, OrganizationFactory, PersonFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def café(settings, live_server):
    settings.THRIVE_PUBLIC_URL = live_server.url
    AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER)
    _business()
    run_refresh(as_of=AS_OF)
    refresh_profile(as_of=AS_OF)
    _history()
    train_and_score(now=NOW)
    shop = OrganizationFactory(name="Wren & Thistle Café")
    contact = PersonFactory(
        first_name="Lucía", last_name="Moreno", email="lucia@cafe.example", organization=shop
    )
    add_role(contact, RelationshipRole.REFERRAL_PARTNER, actor=None)
    return contact


def test_the_partner_café_refers_a_client_through_its_portal(page, browser, live_server,
                                                             café, smtp_sink):  # fmt: skip
    sign_in(page, "maya")
    page.goto("/reach/")
    expect(page.get_by_role("heading", name="Where acquisition pays")).to_be_visible()
    screenshot(page, "reach-overview")
    page.goto("/reach/leads/")
    expect(page.get_by_text("How good is the model?")).to_be_visible()
    screenshot(page, "reach-leads")
    page.goto("/reach/partners/")
    row = page.get_by_role("row", name=re.compile("Lucía Moreno"))
    row.get_by_role("button", name="Email link").click()
    expect(page.get_by_text("Emailed a new portal link to lucia@cafe.example")).to_be_visible()
    screenshot(page, "reach-partners")
    mail = smtp_sink.wait_for(1)[0]
    assert mail.recipients == ["lucia@cafe.example"]
    text = mail.message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http\S+/partners/open/\S+", text).group(0)

    partner_context = browser.new_context(base_url=live_server.url)
    partner = partner_context.new_page()
    partner.goto(link)
    partner.get_by_role("button", name="Open my referral page").click()
    expect(partner.get_by_role("heading", name="Thank you, Lucía")).to_be_visible()
    expect(partner.get_by_text("Who we serve best")).to_be_visible()
    partner.get_by_label("Their first name").fill("Rita")
    partner.get_by_label("Their last name").fill("Moss")
    partner.get_by_label("Their email address").fill("rita@example.com")
    partner.get_by_label("They agreed that we may email them").check()
    partner.get_by_role("button", name="Introduce them").click()
    expect(partner.get_by_text("We will be in touch with Rita soon")).to_be_visible()
    expect(partner.get_by_role("cell", name="In touch with us")).to_be_visible()
    screenshot(partner, "partner-portal")

    stranger_context = browser.new_context(base_url=live_server.url)
    stranger = stranger_context.new_page()
    stranger.goto(link)
    stranger.get_by_role("button", name="Open my referral page").click()
    expect(stranger.get_by_text("already used")).to_be_visible()
    stranger.goto("/partners/")
    expect(stranger.get_by_role("heading", name="Get a link to your referral page")).to_be_visible()
    stranger_context.close()

    rita = Person.objects.get(email="rita@example.com")
    assert rita.stage == Stage.PROSPECT and rita.referral_received.referrer == café
    change_stage(rita, Stage.CLIENT, actor=None)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert thank_partners() == 1
    thanks = smtp_sink.wait_for(2)[1]
    assert thanks.recipients == ["lucia@cafe.example"]
    thanks_text = thanks.message.get_body(preferencelist=("plain",)).get_content()
    assert "Rita just became a client" in thanks_text
    partner.reload()
    expect(partner.get_by_text("1 of your introductions became client")).to_be_visible()
    screenshot(partner, "partner-portal-thanks")
    partner_context.close()

    page.goto("/ecosystem/")
    section = page.locator("section", has=page.get_by_role("heading", name="Who sends us clients"))
    expect(section.get_by_role("row", name=re.compile("Lucía Moreno"))).to_contain_text("100%")
    screenshot(page, "ecosystem-referrals")
