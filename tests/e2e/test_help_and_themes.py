"""The help centre and the themes page in a real browser: a customer searches and reads an
article on a wide screen and a phone and says whether it helped; the owner writes an
article from the navigation; the owner reads the themes and follows a duplicate to the merge."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from thrive.accounts.models import Business
from thrive.core.roles import Role
from thrive.helpcentre.demo import seed_demo
from thrive.helpcentre.models import Article
from thrive.testing.factories import AssociateFactory, PersonFactory
from thrive.voice.models import Idea, Survey, SurveyInvite, SurveyResponse, ThemeRun
from thrive.voice.models.surveys import InviteStatus
from thrive.voice.tests.test_themes import _sample
from thrive.voice.themes_runs import compute_themes

from .conftest import open_section, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Kettle & Crow Coffee Roasters"


@pytest.fixture
def shop(settings, live_server):
    settings.THRIVE_PUBLIC_URL = live_server.url
    Business.objects.create(name=NAME, website="https://kettleandcrow.example")
    seed_demo()
    return live_server


@pytest.mark.parametrize("width", [1440, 390])
def test_a_customer_searches_reads_and_rates_an_article(browser, shop, width):
    context = browser.new_context(base_url=shop.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/help/")
    expect(page.get_by_test_id("public-header")).to_contain_text(NAME)
    expect(page.get_by_role("heading", name="Subscriptions")).to_be_visible()
    page.get_by_label("Search the help centre").fill("can I skip a month of my subscription?")
    page.get_by_role("button", name="Search").click()
    first = page.locator(".help-results li a").first
    expect(first).to_have_text("How do I pause or skip my subscription?")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"help-search-{width}")
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How do I pause or skip my subscription?"
    )
    expect(page.locator(".help-body ol li")).to_have_count(3)
    expect(page.get_by_text("Updated")).to_be_visible()
    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_text("Thank you: your answer helps")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"help-article-{width}")
    page.goto("/help/which-grind-size-should-i-choose/")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), width
    assert Article.objects.get(slug="how-do-i-pause-or-skip-my-subscription").helpful_yes == 1
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


def test_the_owner_writes_an_article_from_the_navigation(page, shop):
    AssociateFactory(username="maya", role=Role.OWNER)
    sign_in(page, "maya")
    open_section(page, "Listen")
    page.get_by_role("link", name="Help centre").click()
    page.get_by_role("link", name="New article").click()
    page.get_by_label("Title").fill("Do you roast decaf?")
    page.get_by_label("Category").fill("Coffee")
    page.get_by_label("Body").fill("Yes. Our **Swiss-water** decaf:\n\n- 12 oz bags\n- 5 lb bags")
    page.get_by_label("Published").check()
    page.get_by_role("button", name="Save article").click()
    expect(page.get_by_text("Article “Do you roast decaf?” saved.")).to_be_visible()
    page.goto("/help/do-you-roast-decaf/")
    expect(page.locator(".help-body strong")).to_have_text("Swiss-water")
    expect(page.locator(".help-body li")).to_have_count(2)


def test_the_owner_reads_the_themes_and_follows_a_duplicate_to_the_merge(page, shop):
    AssociateFactory(username="maya", role=Role.OWNER)
    now = dt.datetime.now(dt.UTC)
    survey = Survey.objects.create(name="NPS", question="Would you recommend us?")
    for i, row in enumerate(_sample()):
        person = PersonFactory()
        invite = SurveyInvite.objects.create(survey=survey, person=person,
                                             status=InviteStatus.QUEUED)  # fmt: skip
        SurveyResponse.objects.create(invite=invite, survey=survey, person=person, score=7,
                                      comment=row["text"],
                                      answered_at=now - dt.timedelta(days=2 + i))  # fmt: skip
    first = Idea.objects.create(title="Oat milk at the café bar")
    second = Idea.objects.create(title="Oat milk option at the café")
    compute_themes(ThemeRun.objects.create().pk)
    sign_in(page, "maya")
    open_section(page, "Listen")
    page.get_by_role("link", name="Themes").click()
    table = page.get_by_test_id("themes-table")
    expect(table).to_contain_text("delivery")
    expect(table).to_contain_text("subscription")
    expect(page.get_by_test_id("themes-computed")).to_contain_text("82 messages")
    page.get_by_text("How is this computed?").click()
    expect(page.get_by_text("VADER lexicon")).to_be_visible()
    screenshot(page, "voice-themes-1280")
    page.get_by_role("link", name="Review and merge").click()
    expect(page.get_by_role("heading", name="Oat milk option at the café")).to_be_visible()
    expect(page.locator("#into")).to_have_value(str(first.pk))
    page.get_by_role("button", name="Merge").click()
    second.refresh_from_db()
    assert second.merged_into_id == first.pk
