"""The help centre: associates write articles in Markdown, customers read and search them
in the business's look, associates get suggestions for a customer's message."""

from __future__ import annotations

import pytest
from django.test import Client

from thrive.accounts.models import Business
from thrive.conftest import client_for
from thrive.core.roles import Role
from thrive.helpcentre.demo import ARTICLES, seed_demo
from thrive.helpcentre.models import Article
from thrive.helpcentre.queries import search, suggest
from thrive.helpcentre.rendering import render_markdown
from thrive.helpcentre.services import create_article

pytestmark = pytest.mark.django_db

NAME = "Kettle & Crow Coffee Roasters"


@pytest.fixture
def faq(settings):
    settings.THRIVE_PUBLIC_URL = "https://coffee.example"
    Business.objects.create(name=NAME, website="https://kettleandcrow.example")
    seed_demo()
    return {a.title: a for a in Article.objects.all()}


def test_markdown_becomes_safe_html_and_raw_html_is_shown_as_text():
    html = render_markdown(
        "## Grind\n\n- **fine** for espresso\n\n<script>alert(1)</script>\n\n"
        "[click](javascript:alert(1)) [shop](https://kettle.example)"
    )
    assert "<h2>Grind</h2>" in html and "<strong>fine</strong>" in html and "<li>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert 'href="https://kettle.example"' in html and 'rel="noopener nofollow"' in html


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how do I pause my subscription while on holiday",
         "How do I pause or skip my subscription?"),
        ("what grind for a french press", "Which grind size should I choose?"),
        ("how many grams of coffee per cup of water",
         "Brewing ratios: how much coffee for how much water?"),
        ("I want a refund, the bag was damaged", "Returns and refunds"),
        ("do you sell to cafes wholesale", "Wholesale coffee for cafés and offices"),
        ("when will my order be shipped", "How long does shipping take?"),
    ],
)  # fmt: skip
def test_search_puts_the_answering_article_first(faq, question, expected):
    assert search(question)[0].title == expected


def test_drafts_are_neither_found_nor_public(faq):
    draft = create_article(actor=None, title="Secret roast launch", body="A secret roast.",
                           category="News", published=False)  # fmt: skip
    assert all(hit.pk != draft.pk for hit in search("secret roast launch"))
    assert Client().get(f"/help/{draft.slug}/").status_code == 404


def test_search_of_nothing_or_only_common_words_finds_nothing(faq):
    assert search("") == [] and search("the and of") == [] and suggest("zzzz qqqq") == []


def test_the_public_help_centre_lists_topics_in_the_business_name(faq):
    html = Client().get("/help/").content.decode()
    assert "Kettle &amp; Crow Coffee Roasters" in html
    for category in ("Shipping", "Brewing", "Subscriptions", "Orders", "Wholesale"):
        assert f"<h2>{category}</h2>" in html
    assert 'role="search"' in html


def test_a_public_article_shows_its_body_and_when_it_was_updated_with_the_zone(faq):
    article = faq["Which grind size should I choose?"]
    html = Client().get(f"/help/{article.slug}/").content.decode()
    assert "<table>" in html and "Cafetière (French press)" in html
    assert "Updated" in html and ("UTC" in html or "GMT" in html or "BST" in html
                                   or "PST" in html or "CET" in html)  # fmt: skip


@pytest.mark.parametrize(
    "query",
    ["x" * 5000, "<script>alert(1)</script>", "'; DROP TABLE helpcentre_article; --",
     "☕️ 💥 \u202e émoji ñ", "%00%ff", "\x00"],
)  # fmt: skip
def test_odd_or_long_searches_get_a_page_not_an_error(faq, query):
    response = Client().get("/help/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert Article.objects.count() == len(ARTICLES)


def test_a_long_search_says_only_its_start_was_used(faq):
    html = Client().get("/help/", {"q": "grind " * 100}).content.decode()
    assert "Only the first 200 characters" in html
    assert "Which grind size should I choose?" in html


def test_was_this_helpful_counts_answers_and_is_rate_limited(faq):
    article = faq["Returns and refunds"]
    client = Client(enforce_csrf_checks=False)
    for _ in range(3):
        assert client.post(f"/help/{article.slug}/helpful", {"helpful": "yes"}).status_code == 302
    refused = client.post(f"/help/{article.slug}/helpful", {"helpful": "no"})
    assert refused.status_code == 429 and refused.has_header("Retry-After")
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (3, 0)


def test_was_this_helpful_needs_the_csrf_token_and_a_yes_or_no(faq):
    article = faq["Returns and refunds"]
    assert (
        Client(enforce_csrf_checks=True)
        .post(f"/help/{article.slug}/helpful", {"helpful": "yes"})
        .status_code
        == 403
    )
    response = Client().post(f"/help/{article.slug}/helpful", {"helpful": "maybe"}, follow=True)
    assert "Please choose Yes or No." in response.content.decode()
    article.refresh_from_db()
    assert article.helpful_yes == article.helpful_no == 0


def test_suggestions_are_json_for_signed_in_associates_and_closed_to_others(faq, read_only):
    assert Client().get("/help/suggest", {"q": "pause subscription"}).status_code == 302
    data = client_for(read_only).get("/help/suggest", {"q": "Hi, can I skip next month's "
                                      "subscription delivery? I'm away."}).json()  # fmt: skip
    assert data["articles"][0]["title"] == "How do I pause or skip my subscription?"
    assert data["articles"][0]["url"].startswith("https://coffee.example/help/")
    assert len(data["articles"]) <= 3


def test_suggestions_as_an_html_fragment_escape_the_question(faq, member):
    response = client_for(member).get(
        "/help/suggest", {"q": "<b>parcel</b> shipping late", "format": "html", "limit": "x"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "How long does shipping take?" in html
    assert "<html" not in html and "<b>" not in html


@pytest.mark.parametrize("role", [Role.OWNER, Role.MEMBER])
def test_owners_and_members_write_articles(role):
    from thrive.testing.factories import AssociateFactory

    client = client_for(AssociateFactory(username=f"w-{role}", role=role))
    response = client.post("/help/manage/new", {"title": "Do you roast decaf?",
                           "body": "Yes: Swiss-water decaf.", "category": "Coffee",
                           "published": "on"})  # fmt: skip
    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.slug, article.published) == ("do-you-roast-decaf", True)
    client.post(f"/help/manage/{article.pk}/edit", {"title": "Do you roast decaf?",
                "body": "Yes.", "slug": "decaf"})  # fmt: skip
    article.refresh_from_db()
    assert (article.slug, article.body, article.published) == ("decaf", "Yes.", False)
    assert client.post(f"/help/manage/{article.pk}/delete").status_code == 302
    assert not Article.objects.exists()


def test_a_read_only_associate_reads_the_list_but_cannot_write(faq, read_only):
    client = client_for(read_only)
    page = client.get("/help/manage/")
    assert page.status_code == 200 and "Returns and refunds" in page.content.decode()
    assert "New article" not in page.content.decode()
    article = faq["Returns and refunds"]
    assert client.get("/help/manage/new").status_code == 403
    assert client.post("/help/manage/new", {"title": "x", "body": "y"}).status_code == 403
    assert (
        client.post(f"/help/manage/{article.pk}/edit", {"title": "x", "body": "y"}).status_code
        == 403
    )
    assert client.post(f"/help/manage/{article.pk}/delete").status_code == 403
    assert Article.objects.count() == len(ARTICLES)


def test_bad_articles_are_refused_with_a_reason(faq, member):
    client = client_for(member)
    for data, reason in [
        ({"title": "Manage", "body": "x", "slug": "manage"}, "used by the help centre"),
        ({"title": "x", "body": "y", "slug": faq["Returns and refunds"].slug},
         "already has this address"),
        ({"title": "!!!", "body": "y"}, "letters"),
        ({"title": "", "body": ""}, "This field is required"),
    ]:  # fmt: skip
        response = client.post("/help/manage/new", data)
        assert response.status_code == 200 and reason in response.content.decode()
    assert Article.objects.count() == len(ARTICLES)
