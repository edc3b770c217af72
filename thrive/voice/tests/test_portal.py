"""The public portal: magic links, rate limits, CSRF, escaping and no staff data."""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.core import mail
from django.test import Client

from thrive.conftest import client_for
from thrive.contacts.models import Consent, Person
from thrive.testing.factories import PersonFactory
from thrive.voice.models import Comment, Idea, Vote
from thrive.voice.services import comment_on_idea, submit_idea

from .conftest import portal_client

pytestmark = pytest.mark.django_db


def _request_link(client: Client, email: str, **extra: str):
    return client.post("/ideas/sign-in", {"email": email, **extra})


def _link_from_outbox() -> str:
    return re.search(r"http://testserver(/ideas/sign-in/\S+)", mail.outbox[-1].body).group(1)


def test_a_magic_link_signs_in_once_and_creates_the_person(django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _request_link(client, "New@Example.com", next="/ideas/new")
    assert response.status_code == 200 and b"Check your email" in response.content
    assert not Person.objects.filter(email="new@example.com").exists()  # not before proof
    link = _link_from_outbox()
    assert client.get(link).status_code == 200  # a scanner's GET uses nothing
    signed_in = client.post(link)
    assert signed_in.status_code == 302 and signed_in["Location"] == "/ideas/new"
    person = Person.objects.get(email="new@example.com")
    assert not Consent.objects.filter(person=person).exists()  # no opt-in ticked
    assert client.get("/ideas/new").status_code == 200

    reuse = Client().post(link)
    assert reuse.status_code == 400 and b"already used" in reuse.content


def test_opting_in_on_the_form_records_consent(django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _request_link(client, "news@example.com", wants_news="on")
    client.post(_link_from_outbox())
    consent = Consent.objects.get(person__email="news@example.com")
    assert consent.purpose == "email_marketing"


def test_a_magic_link_expires_after_24_hours(django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _request_link(client, "late@example.com")
    link = _link_from_outbox()
    later = time.time() + 24 * 3600 + 5
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.post(link)
    assert response.status_code == 400 and b"expired" in response.content
    assert not Person.objects.filter(email="late@example.com").exists()


def test_next_cannot_leave_the_board(django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _request_link(client, "x@example.com", next="https://evil.example/")
    assert client.post(_link_from_outbox())["Location"] == "/ideas/"


def test_sign_in_requests_are_limited_per_email():
    client = Client()
    codes = [_request_link(client, "flood@example.com").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    too_many = _request_link(client, "flood@example.com")
    assert b"slow down" in too_many.content and int(too_many["Retry-After"]) > 0
    # Another address from the same place still works (until the IP limit).
    assert _request_link(client, "other@example.com").status_code == 200


def test_sign_in_requests_are_limited_per_ip():
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [_request_link(client, f"p{i}@example.com").status_code for i in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    assert _request_link(Client(REMOTE_ADDR="198.51.100.1"), "p0@example.com").status_code == 200


def test_submitting_ideas_is_limited_per_person():
    person = PersonFactory()
    client = portal_client(person)
    codes = [client.post("/ideas/new", {"title": f"Idea {i}", "importance": "nice"}).status_code
             for i in range(6)]  # fmt: skip
    assert codes == [302] * 5 + [429]


def test_voting_needs_a_signed_in_person_and_csrf():
    idea = submit_idea(PersonFactory(), title="Decaf")
    anonymous = Client()
    assert anonymous.post(f"/ideas/{idea.pk}/vote", {"importance": "nice"}).status_code == 302
    assert Vote.objects.count() == 1
    person = PersonFactory()
    strict = portal_client(person, enforce_csrf_checks=True)
    assert strict.post(f"/ideas/{idea.pk}/vote", {"importance": "nice"}).status_code == 403
    strict.get(f"/ideas/{idea.pk}/")
    token = strict.cookies["csrftoken"].value
    response = strict.post(f"/ideas/{idea.pk}/vote",
                           {"importance": "critical", "csrfmiddlewaretoken": token})  # fmt: skip
    assert response.status_code == 302
    assert Vote.objects.get(person=person).importance == "critical"


def test_public_pages_escape_text_and_show_no_staff_data(member):
    author = PersonFactory(first_name="Secretname", email="secret@example.com")
    idea = submit_idea(author, title="<script>alert(1)</script>", body="<img src=x onerror=1>")
    idea.staff_note = "Internal: margin too thin"
    idea.save()
    comment_on_idea(idea, body="<script>bad()</script>", person=PersonFactory(last_name="Other"))
    comment_on_idea(idea, body="We are on it", actor=member)
    for url in ("/ideas/", f"/ideas/{idea.pk}/"):
        html = Client().get(url).content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
        assert "<img src=x" not in html
        for secret in ("Secretname", "secret@example.com", "margin too thin", "Other",
                       member.username, member.last_name):  # fmt: skip
            assert secret not in html, secret


def test_comments_and_titles_have_length_limits():
    person = PersonFactory()
    client = portal_client(person)
    response = client.post("/ideas/new", {"title": "x" * 141, "importance": "nice"})
    assert response.status_code == 200 and not Idea.objects.exists()
    idea = submit_idea(person, title="Fine")
    assert client.post(f"/ideas/{idea.pk}/comment", {"body": "y" * 2001}).status_code == 400
    assert not Comment.objects.exists()


def test_the_portal_flow_submit_vote_and_see_a_status_change(member):
    ana = PersonFactory()
    client = portal_client(ana)
    response = client.post("/ideas/new", {"title": "Night delivery", "importance": "important"})
    idea = Idea.objects.get()
    assert response["Location"] == f"/ideas/{idea.pk}/"
    bo = portal_client(PersonFactory())
    bo.post(f"/ideas/{idea.pk}/vote", {"importance": "critical", "notify": "on"})
    assert Vote.objects.filter(idea=idea).count() == 2
    staff = client_for(member)
    staff.post(f"/voice/ideas/{idea.pk}/status", {"status": "planned", "public_note": "Soon"})
    page = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert "Planned" in page and "Soon" in page and "2</strong> customers" in page


def test_a_merged_idea_redirects_to_the_one_it_joined(member):
    from thrive.voice.services import merge_ideas

    a, b = submit_idea(PersonFactory(), title="A"), submit_idea(PersonFactory(), title="B")
    merge_ideas(a, b, actor=member)
    assert Client().get(f"/ideas/{a.pk}/")["Location"] == f"/ideas/{b.pk}/"


def test_a_filled_honeypot_sends_no_sign_in_link(django_capture_on_commit_callbacks):
    page = Client().get("/ideas/sign-in").content.decode()
    assert 'name="website_url"' in page and 'class="hp-field"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = _request_link(Client(), "bot@example.com", website_url="http://x.example")
    assert response.status_code == 400
    assert mail.outbox == []


def test_a_filled_honeypot_posts_no_idea_vote_or_comment():
    person = PersonFactory()
    client = portal_client(person)
    idea = submit_idea(PersonFactory(), title="Oat milk")
    trap = {"website_url": "http://spam.example"}
    assert client.post("/ideas/new", {"title": "Spam", "importance": "nice", **trap}
                       ).status_code == 400  # fmt: skip
    assert client.post(f"/ideas/{idea.pk}/vote", {"importance": "nice", **trap}).status_code == 400
    assert client.post(f"/ideas/{idea.pk}/comment", {"body": "Buy now", **trap}).status_code == 400
    assert list(Idea.objects.values_list("title", flat=True)) == ["Oat milk"]
    assert not Vote.objects.filter(person=person).exists() and not Comment.objects.exists()
    page = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert page.count('name="website_url"') == 2  # the vote and the comment forms


def test_using_sign_in_links_is_limited_per_address(settings):
    settings.THRIVE_RATE_LIMITS = {"ideas_sign_in_link_per_ip": (2, 3600)}
    codes = [Client().post("/ideas/sign-in/not-a-token").status_code for _ in range(2)]
    assert codes == [400, 400]  # a bad link is refused before it counts
    from thrive.core.tokens import make_token

    token = make_token("voice.signin", {"n": "nope", "e": "a@example.com", "x": "", "o": False})
    codes = [Client().post(f"/ideas/sign-in/{token}").status_code for _ in range(3)]
    assert codes[2] == 429
