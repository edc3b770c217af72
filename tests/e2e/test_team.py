"""An owner invites a colleague from the Team page, on a wide screen and on a phone; the
colleague follows the emailed link, chooses a password and is signed in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from thrive.accounts.models import Associate, Business
from thrive.core import business
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def nothing_from_the_server(monkeypatch):
    for name in ("THRIVE_PUBLIC_URL", "THRIVE_SERVED_URL", "THRIVE_BUSINESS_NAME"):
        monkeypatch.delenv(name, raising=False)
    business.clear_cache()
    yield
    business.clear_cache()


def no_sideways_scroll(page, width: int) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1440, 390])
def test_an_owner_invites_a_colleague_who_joins_from_the_email(
    page, browser, live_server, smtp_sink, width
):
    Business.objects.create(name="Kettle & Crow", public_url=live_server.url)
    AssociateFactory(username="maya", role=Role.OWNER, first_name="Maya", last_name="Stone")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "maya")

    page.goto("/")
    page.locator("#onboarding").get_by_role("link", name="Invite a colleague").click()
    expect(page).to_have_url(re.compile(r"/settings/team/$"))
    no_sideways_scroll(page, width)
    page.get_by_label("First name").fill("Ann")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_label("Email").fill("ann@kettle.example")
    page.locator("#id_role").select_option("read_only")
    page.get_by_role("button", name="Send invitation").click()

    expect(page.locator(".messages")).to_contain_text("Invited Ann Lee (ann@kettle.example)")
    row = page.locator('.team-member[data-username="ann"]')
    expect(row).to_contain_text("Invited")
    expect(row).to_contain_text("Read-only")
    expect(row.get_by_role("button", name="Resend invitation")).to_be_visible()
    expect(page.get_by_text("invited to “ann@kettle.example as Read-only”")).to_be_visible()
    no_sideways_scroll(page, width)
    screenshot(page, f"team-{width}")

    [received] = smtp_sink.wait_for(1)
    text = received.message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(re.escape(live_server.url) + r"/accounts/welcome/\S+/", text).group(0)

    colleague = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    colleague.goto(link)
    colleague.get_by_label("Password", exact=True).fill("a-fresh-Roast-2026!")
    colleague.get_by_label("Again").fill("a-fresh-Roast-2026!")
    no_sideways_scroll(colleague, width)
    colleague.get_by_role("button", name="Set password and sign in").click()
    expect(colleague).to_have_url(re.compile(r"/$"))
    expect(colleague.locator(".messages")).to_contain_text("your password is set")
    colleague.context.close()
    ann = Associate.objects.get(username="ann")
    assert ann.has_usable_password() and ann.last_login is not None

    page.reload()
    expect(page.locator('.team-member[data-username="ann"]')).to_contain_text("Active")
