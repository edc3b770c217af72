import datetime as dt
import re

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from thrive.conftest import client_for
from thrive.contacts.models import Consent, Person, Referral, RelationshipRole, Stage
from thrive.contacts.services import add_role, change_stage
from thrive.prospects.models import PortalLink, PortalReferral
from thrive.prospects.portal import issue_portal_link, thank_partners
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _partner(**kw):
    person = PersonFactory(**kw)
    add_role(person, RelationshipRole.REFERRAL_PARTNER, actor=None)
    return person


def _path(url: str) -> str:
    return url.split("localhost:8000", 1)[1]


def _open(client: Client, url: str):
    return client.post(_path(url))


def test_a_link_opens_its_partners_portal_once_and_never_for_someone_else():
    café = _partner(first_name="Ana")
    url = issue_portal_link(café, actor=None)
    first = Client()
    assert first.get(_path(url)).status_code == 200  # a mail scanner's GET uses nothing
    assert _open(first, url).status_code == 302
    assert "Thank you, Ana" in first.get("/partners/").content.decode()
    stranger = Client()
    response = _open(stranger, url)
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert stranger.get("/partners/").status_code == 302  # no portal for them


def test_an_expired_link_does_not_open():
    café = _partner()
    url = issue_portal_link(café, actor=None)
    PortalLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _open(Client(), url).status_code == 400


def test_a_forged_token_for_another_partner_is_refused():
    a, b = _partner(), _partner()
    url = issue_portal_link(a, actor=None)
    token = url.rsplit("/", 1)[1]
    forged = token.replace(token.split(":")[0], token.split(":")[0][:-2] + "xx")
    assert Client().post(reverse("partner_open", args=[forged])).status_code == 400
    assert PortalLink.objects.filter(partner=b).count() == 0


def test_partner_a_sees_only_their_own_referrals():
    a, b = _partner(first_name="Ana"), _partner(first_name="Bo")
    client_a, client_b = Client(), Client()
    _open(client_a, issue_portal_link(a, actor=None))
    _open(client_b, issue_portal_link(b, actor=None))
    client_a.post("/partners/refer", {"first_name": "Rita", "email": "rita@example.com",
                                      "consent": "on"})  # fmt: skip
    client_b.post("/partners/refer", {"first_name": "Bruno", "email": "bruno@example.com",
                                      "consent": "on"})  # fmt: skip
    page_a = client_a.get("/partners/").content.decode()
    assert "Rita" in page_a and "Bruno" not in page_a
    page_b = client_b.get("/partners/").content.decode()
    assert "Bruno" in page_b and "Rita" not in page_b


def test_referring_creates_a_prospect_with_consent_evidence_attributed_to_the_partner():
    café = _partner(first_name="Ana", last_name="Café")
    client = Client()
    _open(client, issue_portal_link(café, actor=None))
    form = {"first_name": "Rita", "last_name": "Moss", "email": "Rita@Example.com", "consent": "on"}
    response = client.post("/partners/refer", form)
    assert response.status_code == 302
    rita = Person.objects.get(email="rita@example.com")
    assert rita.stage == Stage.PROSPECT
    assert Referral.objects.get(referred=rita).referrer == café
    consent = Consent.objects.get(person=rita)
    assert "Ana Café confirmed that Rita Moss agreed" in consent.source_text
    assert PortalReferral.objects.get(referral__referred=rita).consent == consent


def test_a_referral_without_consent_or_of_a_known_person_is_refused_with_a_reason():
    café = _partner()
    PersonFactory(email="known@example.com")
    client = Client()
    _open(client, issue_portal_link(café, actor=None))
    no_consent = client.post("/partners/refer", {"first_name": "X", "email": "x@example.com"})
    assert no_consent.status_code == 400
    assert "agreed to hear from us" in no_consent.content.decode()
    known = client.post("/partners/refer", {"first_name": "K", "email": "known@example.com",
                                            "consent": "on"})  # fmt: skip
    assert known.status_code == 400 and "already know this person" in known.content.decode()
    assert not Person.objects.filter(email="x@example.com").exists()


def test_referrals_are_rate_limited_per_partner():
    café = _partner()
    client = Client()
    _open(client, issue_portal_link(café, actor=None))
    codes = [
        client.post(
            "/partners/refer", {"first_name": "P", "email": f"p{i}@example.com", "consent": "on"}
        ).status_code  # fmt: skip
        for i in range(21)
    ]
    assert codes[:20] == [302] * 20 and codes[20] == 429


def test_the_partner_is_thanked_once_by_email_when_a_referral_becomes_a_client(smtp_sink):
    café = _partner(first_name="Ana", email="ana@cafe.example")
    client = Client()
    _open(client, issue_portal_link(café, actor=None))
    client.post("/partners/refer", {"first_name": "Rita", "email": "rita@example.com",
                                    "consent": "on"})  # fmt: skip
    assert thank_partners() == 0
    change_stage(Person.objects.get(email="rita@example.com"), Stage.CLIENT, actor=None)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert thank_partners() == 1
    assert thank_partners() == 0
    received = smtp_sink.wait_for(1)
    assert received[0].recipients == ["ana@cafe.example"]
    text = received[0].message.get_body(preferencelist=("plain",)).get_content()
    assert "Rita just became a client" in text
    assert "Became a client" in client.get("/partners/").content.decode()


def test_staff_make_links_and_read_only_cannot(owner, read_only):
    café = _partner()
    staff = client_for(owner)
    response = staff.post(reverse("reach_partner_link", args=[café.pk]))
    assert response.status_code == 302
    page = staff.get(reverse("reach_partners")).content.decode()
    assert re.search(r"/partners/open/[^\"]+", page)
    refused = client_for(read_only).post(reverse("reach_partner_link", args=[café.pk]))
    assert refused.status_code == 403
    assert PortalLink.objects.count() == 1


def test_a_new_link_is_emailed_only_to_a_partners_address(smtp_sink):
    _partner(email="ana@cafe.example")
    PersonFactory(email="nobody@example.com")
    with TestCase.captureOnCommitCallbacks(execute=True):
        for address in ("ana@cafe.example", "nobody@example.com"):
            response = Client().post("/partners/link", {"email": address})
            assert response.status_code == 200 and "Check your email" in response.content.decode()
    received = smtp_sink.wait_for(1)
    assert [r.recipients for r in received] == [["ana@cafe.example"]]
    text = received[0].message.get_body(preferencelist=("plain",)).get_content()
    assert "/partners/open/" in text


def test_a_filled_honeypot_refers_nobody_and_sends_no_link(smtp_sink):
    café = _partner(email="ana@cafe.example")
    page = Client().get("/partners/link").content.decode()
    assert 'name="website_url"' in page and 'class="hp-field"' in page
    trap = {"website_url": "http://spam.example"}
    assert Client().post("/partners/link", {"email": "ana@cafe.example", **trap}
                         ).status_code == 400  # fmt: skip
    client = Client()
    _open(client, issue_portal_link(café, actor=None))
    before = Person.objects.count()
    response = client.post("/partners/refer", {"first_name": "Spam", "consent": "on",
                                               "email": "spam@example.com", **trap})  # fmt: skip
    assert response.status_code == 400 and Person.objects.count() == before
    assert 'name="website_url"' in client.get("/partners/").content.decode()
    assert smtp_sink.messages == [] and not PortalReferral.objects.exists()


def test_opening_portal_links_is_limited_per_address(settings):
    settings.THRIVE_RATE_LIMITS = {"partner_link_open_per_ip": (1, 3600)}
    first = _open(Client(), issue_portal_link(_partner(), actor=None))
    second = _open(Client(), issue_portal_link(_partner(), actor=None))
    assert (first.status_code, second.status_code) == (302, 429)
