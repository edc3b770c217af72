"""The workspace on a phone and a desktop, in a real Chromium: every page reachable from the
navigation fits the screen without sideways scrolling and without a console error, the top
bar is one line on a desktop, the phone menu opens and closes, and the command palette
finds a person from the keyboard."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from thrive.accounts.models import Associate
from thrive.automations.models import Workflow
from thrive.contacts.models import Organization, Person
from thrive.growth.models import Goal, HealthCheck
from thrive.outreach.models import Campaign, EmailTemplate
from thrive.outreach.sending.dispatch import create_campaign
from thrive.segments.models import Segment
from thrive.voice.services import submit_idea

from .conftest import SCREENS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple"
# Screenshots to look at: artifacts/screens/ unless THRIVE_SHOTS names another folder.
SHOTS = Path(os.environ.get("THRIVE_SHOTS", SCREENS))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def roastery(settings, tmp_path):
    """The demo business, small, with its owner Maya signing in with a known password, and
    one of each record the walk opens."""
    settings.DATA_DIR = tmp_path  # the demo writes its sign-in file there
    call_command(
        "demo", people=250, seed=5, as_of=dt.date(2026, 11, 30), no_progress=True, verbosity=0
    )
    maya = Associate.objects.get(username="maya")
    maya.set_password(PASSWORD)
    maya.save(update_fields=["password"])
    segment = Segment.objects.order_by("pk").first()
    if not Campaign.objects.exists():
        create_campaign(
            actor=maya,
            name="Autumn blends",
            segment=segment,
            template=EmailTemplate.objects.order_by("pk").first(),
        )
    if not HealthCheck.objects.exists() or not Goal.objects.exists():
        pytest.fail("the demo business has goals and health checks to open")
    person = Person.objects.exclude(first_name="").exclude(last_name="").order_by("pk").first()
    submit_idea(person, title="Decaf in 5 lb bags", actor=maya)
    return {
        "maya": maya,
        "person": person,
        "records": [
            f"/people/{person.pk}/",
            f"/organizations/{Organization.objects.order_by('pk').first().pk}/",
            f"/segments/{segment.pk}/",
            f"/outreach/campaigns/{Campaign.objects.order_by('pk').first().pk}/",
            f"/automations/{Workflow.objects.order_by('pk').first().pk}/",
            f"/growth/goals/{Goal.objects.order_by('pk').first().pk}/",
            f"/growth/health/{HealthCheck.objects.order_by('pk').first().pk}/",
        ],
    }


def _context(browser, live_server, viewport):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    # The walk loads every page of the workspace twice; on a machine busy with other work
    # one page can take longer than 20 s to load with its assets, which is not what this
    # test measures (bench/ does).
    page.set_default_timeout(45_000)
    return context, page


def _nav_links(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every workspace page the top bar links to (Records is Django's admin, not ours)."""
    hrefs = page.eval_on_selector_all(".mainnav a[href]", "els => els.map(a => a.pathname)")
    return [h for h in dict.fromkeys(hrefs) if not h.startswith("/admin/") and _routed(h)]


def _routed(path: str) -> bool:
    # Settings is linked before its page lands on this branch; walked once it resolves.
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _walk(page, paths: list[str], width: int) -> list[str]:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    problems = []
    for path in paths:
        errors.clear()
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        if response is None or response.status != 200:
            problems.append(f"{path} at {width}px: HTTP {response and response.status}")
            continue
        scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if scroll > inner + 1:
            problems.append(f"{path} at {width}px: the page is {scroll}px wide")
        if errors:
            problems.append(f"{path} at {width}px: console errors {errors}")
    return problems


def _shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_every_workspace_page_fits_a_phone_and_a_desktop(browser, live_server, roastery):
    problems = []
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context, page = _context(browser, live_server, viewport)
        sign_in(page, "maya", PASSWORD)
        paths = _nav_links(page)
        assert len(paths) >= 18, paths  # the sections and Tasks, all there
        problems += _walk(page, paths + roastery["records"], viewport["width"])
        if name == "desktop":
            page.goto("/")
            # One line: the bar is as tall as one row of its buttons, not two.
            height = page.locator(".topbar").bounding_box()["height"]
            assert height <= 60, f"the top bar is {height}px tall at 1440px"
            tops = page.eval_on_selector_all(
                ".topbar > *:not([hidden]), .nav-sections > li",
                "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().top)",
            )
            assert max(tops) - min(tops) < 20, tops
        else:
            page.goto("/")
            height = page.locator(".topbar").bounding_box()["height"]
            assert height <= 56, f"the closed top bar is {height}px tall on a phone"
        for path, shot in (("/", "dashboard"), ("/people/", "people"), ("/reach/", "reach"),
                           (roastery["records"][-1], "health-check")):  # fmt: skip
            page.goto(path)
            page.wait_for_load_state("networkidle")
            _shoot(page, f"{shot}-{viewport['width']}")
        context.close()
    assert not problems, "\n".join(problems)


def test_dashboard_chart_text_is_readable_on_a_phone(browser, live_server, roastery):
    context, page = _context(browser, live_server, PHONE)
    sign_in(page, "maya", PASSWORD)
    page.goto("/")
    sizes = page.eval_on_selector_all(
        "main svg.chart text",
        """els => els.filter(t => t.getClientRects().length)
                     .map(t => t.getBoundingClientRect().height)""",
    )
    assert sizes, "the dashboard draws its charts"
    # A text box's height is about 1.2 × its rendered font size.
    smallest = min(sizes) / 1.2
    assert smallest >= 10.5, f"chart text renders at {smallest:.1f}px on a phone"
    context.close()


def test_the_phone_menu_opens_and_closes_the_navigation(browser, live_server, roastery):
    context, page = _context(browser, live_server, PHONE)
    sign_in(page, "maya", PASSWORD)
    page.goto("/people/")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(nav).to_be_visible()
    # The current section is open and marks the page the associate is on.
    current = nav.locator("a[aria-current=page]")
    expect(current).to_have_text("People")
    expect(current).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    _shoot(page, "menu-open-390")
    page.get_by_role("button", name="Close").click()
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    # A link in the panel takes the associate there.
    page.get_by_role("button", name="Menu").click()
    nav.locator("summary", has_text="Reach").click()
    nav.get_by_role("link", name="Sessions").click()
    expect(page).to_have_url(f"{live_server.url}/sessions/")
    context.close()


def test_the_command_palette_finds_a_person_from_the_keyboard(browser, live_server, roastery):
    person = roastery["person"]
    context, page = _context(browser, live_server, DESKTOP)
    sign_in(page, "maya", PASSWORD)
    page.goto("/growth/")
    dialog = page.get_by_role("dialog", name="Find anything")
    expect(dialog).to_be_hidden()
    page.keyboard.press("Control+k")
    expect(dialog).to_be_visible()
    box = dialog.get_by_role("combobox")
    expect(box).to_be_focused()
    box.fill(f"{person.first_name} {person.last_name}")
    first = dialog.get_by_role("option").first
    expect(first).to_contain_text(f"{person.first_name} {person.last_name}")
    _shoot(page, "palette-1440")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/people/{person.pk}/")

    # "/" opens it too, unless the associate is typing in a field; Escape closes it.
    page.keyboard.press("/")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.goto("/people/")
    page.locator("#id_q").fill("a/b")
    expect(dialog).to_be_hidden()
    assert page.locator("#id_q").input_value() == "a/b"
    # Let the list's own search finish first: the test server shares one in-memory SQLite
    # connection between its threads, so two requests at once can trip over each other.
    expect(page).to_have_url(re.compile(r"q=a%2Fb"))

    # Arrow keys move through pages and records; Enter opens the chosen one.
    page.locator("main h1").click()
    page.keyboard.press("/")
    box.fill("sessions")
    expect(dialog.get_by_role("option").first).to_contain_text("Sessions")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/sessions/")
    context.close()


def test_the_search_button_opens_the_palette_on_a_phone(browser, live_server, roastery):
    context, page = _context(browser, live_server, PHONE)
    sign_in(page, "maya", PASSWORD)
    page.get_by_role("button", name="Search").click()
    dialog = page.get_by_role("dialog", name="Find anything")
    dialog.get_by_role("combobox").fill("segments")
    dialog.get_by_role("option", name="Segments").first.click()
    expect(page).to_have_url(f"{live_server.url}/segments/")
    context.close()


def test_people_search_stays_in_the_address_and_the_count_follows(browser, live_server, roastery):
    person = roastery["person"]
    expected = Person.objects.filter(last_name__icontains=person.last_name).count()
    context, page = _context(browser, live_server, PHONE)
    sign_in(page, "maya", PASSWORD)
    page.goto("/people/")
    # On a phone the filters fold away behind a button; the first person shows at once.
    expect(page.locator("#id_stage")).to_be_hidden()
    first_row = page.locator("#people-results tbody tr").first
    assert first_row.bounding_box()["y"] < PHONE["height"]
    page.get_by_role("button", name="Filters").click()
    expect(page.locator("#id_stage")).to_be_visible()
    page.locator("#id_q").fill(person.last_name)
    expect(page).to_have_url(re.compile(rf"/people/\?(.*&)?q={re.escape(person.last_name)}(&|$)"))
    expect(page.locator("#people-count")).to_have_text(f"{expected} matching")
    page.reload()
    expect(page.locator("#id_q")).to_have_value(person.last_name)
    context.close()
