"""A campaign's "Skipped" figure opens the people it skipped, each with the reason, and
the count there is the figure; right after "Send now" the page says it is sending."""

from __future__ import annotations

import re

import pytest

from thrive.conftest import client_for
from thrive.outreach.inbound.suppression import suppress
from thrive.outreach.models import Delivery
from thrive.outreach.reports.numbers import totals
from thrive.outreach.sending.dispatch import send_campaign
from thrive.outreach.sending.sender import run_pump
from thrive.testing.factories import PersonFactory

from .conftest import consenting_person
from .test_campaigns import make_campaign

pytestmark = pytest.mark.django_db


def test_right_after_send_now_the_page_shows_it_sending(smtp_sink):
    consenting_person()
    owner, campaign = make_campaign([])
    send_campaign(campaign, actor=owner)
    body = client_for(owner).get(f"/outreach/campaigns/{campaign.pk}/").content.decode()
    assert "Sending has started" in body and ">Sending</span>" in body
    assert "Nothing has gone out yet" not in body and ">Scheduled</span>" not in body
    assert "Stop the campaign" in body


def test_skipped_opens_who_was_skipped_and_why(smtp_sink):
    # The holdout is drawn per person (a hash of campaign and person), so the numbers are
    # large enough that some are held out and some unsendable people are not, whatever ids
    # the database hands out (each fails with a chance of about one in a million).
    for _ in range(30):
        consenting_person()
    no_consent = [PersonFactory(last_name=f"Quiet{i}") for i in range(6)]
    suppressed = [consenting_person(last_name=f"Bounced{i}") for i in range(4)]
    for person in suppressed:
        suppress(person.email, "hard_bounce", detail="550 no such user")
    owner, campaign = make_campaign([], holdout_percent=30)
    send_campaign(campaign, actor=owner)
    run_pump()
    figures = totals(Delivery.objects.filter(campaign=campaign))
    unsendable = no_consent + suppressed
    held = Delivery.objects.filter(campaign=campaign, skip_reason="holdout")
    # The holdout is picked first and counted apart: those of the five it took are not
    # "skipped".
    expected = [p for p in unsendable if not held.filter(person=p).exists()]
    assert held.exists() and figures["skipped"] == len(expected) >= 3
    client = client_for(owner)
    detail = client.get(f"/outreach/campaigns/{campaign.pk}/").content.decode()
    url = f"/outreach/campaigns/{campaign.pk}/skipped/"
    n = len(expected)
    assert f'<a href="{url}">Skipped {n}: who and why' in detail
    page = client.get(url).content.decode()
    assert f"Skipped: {n} people" in page
    reasons = {
        "no consent for this kind of email": len([p for p in expected if p in no_consent]),
        "the address is on the suppression list": len([p for p in expected if p in suppressed]),
    }
    for words, count in reasons.items():
        if count:
            assert f"<strong>{count}</strong>: {words}" in page
    for person in unsendable:
        assert (f"/people/{person.pk}/" in page) == (person in expected)
    assert len(re.findall(r'<tr><td><a href="/people/\d+/">', page)) == n
    assert f"The {held.count()} held out on purpose are not among them." in page
    # Per variant, the linked lists add up to the figure.
    listed = 0
    for variant in campaign.variants.all():
        assert f"{url}?variant={variant.pk}" in detail
        one = client.get(url, {"variant": variant.pk}).content.decode()
        listed += len(re.findall(r'<tr><td><a href="/people/\d+/">', one))
    assert listed == n


def test_a_bad_variant_or_page_is_not_an_error(smtp_sink):
    owner, campaign = make_campaign([])
    client = client_for(owner)
    url = f"/outreach/campaigns/{campaign.pk}/skipped/"
    assert client.get(url, {"variant": "x", "page": "zz"}).status_code == 200
    assert "Nobody was skipped." in client.get(url, {"variant": "999"}).content.decode()
    assert client.get("/outreach/campaigns/9999/skipped/").status_code == 404
