"""Every page a customer or partner sees is in the business's name and links to no staff page.

The walk opens each public page of ``thrive.core.public_pages`` with real records of the
demo business (real signed links, a real booking, a signed-in voter and partner), plus
the pages for expired links, refused forms and an unknown address, and checks the header
shows the business (linking to its website), "Thrive" is not the header, and every
``href`` and form ``action`` stays on public pages or goes to the business's website.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

from thrive.accounts.models import Business
from thrive.bookings.links import manage_url
from thrive.bookings.models import Booking
from thrive.contacts.models import Person, RelationshipRole
from thrive.contacts.services import add_role
from thrive.core.public_pages import PUBLIC_URL_NAMES
from thrive.leadforms.models import Submission as LeadSubmission
from thrive.leadforms.services import confirm_url
from thrive.outreach.sending import links
from thrive.outreach.services import send_email
from thrive.outreach.tests.conftest import consenting_person, make_template
from thrive.prospects.portal import issue_portal_link
from thrive.voice.models import Survey, SurveyInvite
from thrive.voice.models.surveys import InviteStatus
from thrive.voice.services.ideas import submit_idea, vote_for_idea
from thrive.voice.services.portal import request_sign_in
from thrive.voice.services.surveys import answer_url, opt_out_url

NAME = "Kettle & Crow Coffee Roasters"
WEBSITE = "https://kettleandcrow.example"
# Public, but for staff: a customer must never be sent there.
STAFF_PUBLIC = {
    "login", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "admin:login", "accept_invitation",
    # An associate switching off their own digest or urgent emails from the email's link.
    "digest_unsubscribe",
}  # fmt: skip
# Public names that are not pages a person reads (a pixel, the logo, redirects, a webhook, POST-only
# actions, the API's schema); every other public name must be walked below.
NOT_PAGES = STAFF_PUBLIC | {
    "healthz", "favicon", "business_logo", "outreach_open", "outreach_click",
    "outreach_bounce_webhook",
    "voice_vote", "voice_comment", "voice_sign_out", "book_cancel", "book_move",
    "partner_refer", "partner_sign_out", "api-v1:openapi-json", "api-v1:api-root",
    "help_helpful",
}  # fmt: skip

HREF = re.compile(r'\b(?:href|action|src)="([^"]*)"')
HEADER = re.compile(r'<header class="public-header"[^>]*>(.*?)</header>', re.S)


def _path(url: str) -> str:
    return urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")


def _pages(client: Client, mailoutbox, capture) -> Iterator[tuple[str, str, object]]:
    """(url name, label, response) for every public page, built from real records."""
    Business.objects.update_or_create(pk=Business.objects.order_by("pk").first().pk,
                                      defaults={"name": NAME, "website": WEBSITE})  # fmt: skip
    voter = Person.objects.exclude(email="").order_by("pk").first()
    idea = submit_idea(voter, title="Decaf in 5 lb bags")
    for other in Person.objects.exclude(email="").order_by("pk")[1:4]:
        vote_for_idea(other, idea)

    yield "voice_board", "board", client.get("/ideas/")
    yield "voice_idea", "idea", client.get(f"/ideas/{idea.pk}/")
    yield "voice_sign_in_request", "sign-in form", client.get("/ideas/sign-in")
    with capture(execute=True):
        request_sign_in(email=voter.email, ip_address=None, next_path=f"/ideas/{idea.pk}/")
    link = re.search(r"https?://\S+/ideas/sign-in/\S+", mailoutbox[-1].body).group(0)
    yield "voice_sign_in", "sign-in confirm", client.get(_path(link))
    client.post(_path(link))
    yield "voice_new_idea", "suggest", client.get("/ideas/new")
    yield "voice_idea", "idea, signed in", client.get(f"/ideas/{idea.pk}/")
    yield "voice_sign_in", "used link", client.get(_path(link))

    survey = Survey.objects.create(name="NPS", question="Would you recommend us?")
    invite = SurveyInvite.objects.create(survey=survey, person=voter, status=InviteStatus.QUEUED)
    yield "voice_answer", "answer", client.get(_path(answer_url(invite, 9)))
    response = client.post(_path(answer_url(invite, 9)))
    yield "voice_answer_comment", "answer comment", client.get(response["Location"])
    yield "voice_survey_opt_out", "stop surveys", client.get(_path(opt_out_url(voter)))
    yield "voice_answer", "forged answer", client.get("/s/forged-token")

    yield "book_index", "book", client.get("/book/")
    booking = Booking.objects.select_related("associate", "session_type").order_by("pk").first()
    slots_url = f"/book/{booking.associate.username}/{booking.session_type.slug}/"
    slots = client.get(slots_url + "?tz=Europe/Berlin")
    yield "book_slots", "slots", slots
    free = re.search(r'href="(/book/[^"]+/[^"/]+\?tz=[^"]+)"', slots.content.decode())
    assert free, "the demo has free times to book"
    form_url = unescape(free.group(1))
    yield "book_form", "booking form", client.get(form_url)
    with capture(execute=True):
        booked = client.post(form_url, {
            "first_name": "Ana", "email": "ana@example.com", "consent": "on",
            "tz": "Europe/Berlin",
        })  # fmt: skip
    assert booked.status_code == 302, booked.content.decode()[:2000]
    yield "book_manage", "just booked", client.get(booked["Location"])
    yield "book_manage", "old booking", client.get(_path(manage_url(booking)))
    yield "book_manage", "forged manage link", client.get("/book/manage/forged/")
    team_slots = client.get(f"/book/team/{booking.session_type.slug}/?tz=Europe/Berlin")
    yield "book_team_slots", "team slots", team_slots
    team_html = team_slots.content.decode()
    team_free = re.search(r'href="(/book/team/[^"]+/[^"/]+\?tz=[^"]+)"', team_html)
    assert team_free, "the demo shares a session type round robin"
    yield "book_team_form", "team booking form", client.get(unescape(team_free.group(1)))

    delivery = send_email(consenting_person(), template=make_template(),
                          idempotency_key="walk", reason={})  # fmt: skip
    yield "outreach_unsubscribe", "unsubscribe", client.get(
        _path(links.unsubscribe_url(delivery.pk))
    )
    yield "outreach_unsubscribe", "forged unsubscribe", client.get("/m/u/forged")
    yield "outreach_join", "join", client.get("/m/join")
    yield "outreach_confirm", "confirm", client.get(
        _path(links.opt_in_url({"e": voter.email, "p": voter.pk, "pu": "email_marketing"}))
    )
    yield "outreach_confirm", "forged confirm", client.get("/m/confirm/forged")

    # The demo's course form: hosted, embedded, a bad answer, the confirmation link.
    yield "leadform_page", "lead form", client.get("/f/brewing-course/")
    yield "leadform_page", "embedded lead form", client.get("/f/brewing-course/?embed=1")
    yield "leadform_page", "lead form, bad answer", client.post(
        "/f/brewing-course/", {"email": "not-an-address"}
    )
    yield "leadform_send", "embedded send, no stamp", client.post("/f/brewing-course/send")
    with capture(execute=True):
        client.post("/f/brewing-course/", {"first_name": "Rosa", "email": "rosa@example.com",
                                           "consent_email_marketing": "on"})  # fmt: skip
    asked = LeadSubmission.objects.get(person__email="rosa@example.com")
    yield "leadform_confirm", "lead form confirm", client.get(_path(confirm_url(asked)))

    partner = Person.objects.exclude(email="").order_by("-pk").first()
    add_role(partner, RelationshipRole.REFERRAL_PARTNER, actor=None)
    portal_link = issue_portal_link(partner, actor=None)
    yield "partner_request_link", "partner link form", client.get("/partners/link")
    yield "partner_open", "partner open", client.get(_path(portal_link))
    client.post(_path(portal_link))
    yield "partner_portal", "partner portal", client.get("/partners/")
    yield "partner_open", "used partner link", client.post(_path(portal_link))
    yield "partner_request_link", "refused form", client.post(
        "/partners/link", {"email": "a@example.com", "website_url": "bot"}
    )
    # The satisfaction question after a resolved support conversation.
    from thrive.service import csat
    from thrive.service.models import Conversation, CsatRequest, CsatStatus

    talk = Conversation.objects.create(person=voter, subject="Grinder arrived broken")
    asked_csat = CsatRequest.objects.create(
        conversation=talk, person=voter, status=CsatStatus.QUEUED
    )
    yield "inbox_csat", "satisfaction question", client.get(_path(csat.answer_url(asked_csat, 5)))
    yield "inbox_csat", "forged satisfaction link", client.get("/inbox/csat/forged")
    yield "help_index", "help centre", client.get("/help/")
    yield "help_index", "help search", client.get("/help/?q=pause+subscription")
    article = apps.get_model("helpcentre", "Article").objects.filter(published=True).first()
    yield "help_article", "help article", client.get(f"/help/{article.slug}/")
    yield "help_article", "missing help article", client.get("/help/no-such-article/")
    yield "", "not found", client.get("/no-such-page/")


def _staff_links(html: str) -> list[str]:
    """Every link or form target that is not a public page or the business's website."""
    bad = []
    for raw in HREF.findall(html):
        url = unescape(raw)
        if url.startswith(("#", "?", "data:")) or url == "":
            continue
        parts = urlsplit(url)
        if parts.scheme in {"http", "https"}:
            if not url.startswith(WEBSITE):
                bad.append(url)
            continue
        if parts.path.startswith("/" + settings.STATIC_URL.strip("/") + "/"):
            continue
        try:
            name = resolve(parts.path).view_name
        except Resolver404:
            bad.append(url)
            continue
        if name not in PUBLIC_URL_NAMES or name in STAFF_PUBLIC:
            bad.append(url)
    return bad


@pytest.mark.django_db
def test_every_public_page_is_in_the_business_name_with_no_staff_link(
    demo_records, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client()
    walked: set[str] = set()
    for name, label, response in _pages(client, mailoutbox, django_capture_on_commit_callbacks):
        walked.add(name)
        assert response.status_code < 500, f"{label}: {response.status_code}"
        html = response.content.decode()
        header = HEADER.search(html)
        assert header, f"{label}: no public header"
        assert NAME.replace("&", "&amp;") in header.group(1), f"{label}: no business name"
        assert f'href="{WEBSITE}"' in header.group(1), f"{label}: name does not link home"
        assert "Thrive" not in header.group(1), f"{label}: Thrive in the header"
        assert "Thrive" not in re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert _staff_links(html) == [], f"{label} links to staff pages"
    unwalked = PUBLIC_URL_NAMES - NOT_PAGES - walked
    assert unwalked == set(), f"public pages not walked: {sorted(unwalked)}"


def test_the_link_checker_catches_staff_links():
    html = '<a href="/accounts/login/?next=/">x</a><a href="/people/">y</a><a href="/ideas/">z</a>'
    assert _staff_links(html) == ["/accounts/login/?next=/", "/people/"]


@pytest.mark.django_db
def test_without_a_website_the_name_is_not_a_link(demo_records):
    Business.objects.update(name="Ana's Bakes", website="")
    html = Client().get("/book/").content.decode()
    header = HEADER.search(html).group(1)
    assert "Ana&#x27;s Bakes" in header
    assert "<a" not in header


@pytest.mark.django_db
def test_the_business_colour_is_set_by_a_style_the_policy_allows(monkeypatch):
    from thrive.core import brand as brand_module

    Business.objects.create(name="Gold Beans", website="")
    # The row has no colour field yet in this schema: give the reader one as the owner would.
    row = SimpleNamespace(name="Gold Beans", brand_colour="#FFD700")
    monkeypatch.setattr(brand_module, "_business_source", lambda: row)
    response = Client().get("/book/")
    html = response.content.decode()
    style = re.search(r'<style nonce="([^"]+)">([^<]*)</style>', html)
    assert style, "no nonce'd style"
    assert f"'nonce-{style.group(1)}'" in response["Content-Security-Policy"]
    assert "--accent: #ffd700; --accent-ink: #111;" in style.group(2)
