"""The API in a real browser and over real HTTP: Maya makes a token, a program uses it,
the interactive docs load from Thrive itself, and a webhook reaches a loopback receiver
and is replayed from the delivery log."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from thrive.contacts.services import create_person
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory
from thrive.webhooks.models import WebhookDelivery
from thrive.webhooks.services import run_webhooks
from thrive.webhooks.tests.test_delivery import Receiver

from .conftest import open_section, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_maya_makes_a_token_reads_the_docs_and_watches_a_webhook(page, live_server, monkeypatch):
    monkeypatch.setenv("THRIVE_WEBHOOKS_ALLOW_PRIVATE", "1")
    maya = AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER)
    sign_in(page, "maya")
    open_section(page, "Data & settings")
    page.get_by_role("link", name="API", exact=True).click()
    page.get_by_label("Name").fill("Shop sync")
    page.get_by_label("Scope").select_option("write")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token").inner_text().strip()
    assert re.fullmatch(r"thr_[0-9a-f]{8}_\S+", secret)
    screenshot(page, "api-tokens")

    request = urllib.request.Request(  # noqa: S310 - the live test server
        f"{live_server.url}/api/v1/people", headers={"Authorization": f"Bearer {secret}"}
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        assert response.status == 200
        assert json.load(response) == {"items": [], "next": None}

    page.get_by_role("link", name="Interactive docs", exact=True).click()
    # Swagger UI (served from Thrive's static files, no CDN) renders the schema.
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Thrive API").first).to_be_visible()
    screenshot(page, "api-docs")

    with Receiver([500]) as receiver:
        page.goto("/webhooks/")
        page.get_by_label("Address").fill(receiver.url)
        page.get_by_label(
            "person.created — A person was added (their first stage was recorded)"
        ).check()
        page.get_by_role("button", name="Subscribe").click()
        assert page.locator("#new-secret").inner_text().startswith("whsec_")
        create_person(actor=maya, first_name="Nina", email="nina@example.org")
        run_webhooks()
        page.goto("/webhooks/")
        expect(page.locator(".badge", has_text="Failed, will retry")).to_be_visible()
        page.get_by_role("button", name="Replay").first.click()
        run_webhooks()
    assert WebhookDelivery.objects.filter(status="delivered").count() == 1
    page.goto("/webhooks/")
    expect(page.locator(".badge", has_text="Delivered")).to_be_visible()
    screenshot(page, "api-webhooks")
    assert len(receiver.received) == 2
