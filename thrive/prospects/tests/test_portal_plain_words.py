"""Partners read "Who we serve best" as plain sentences: no ratios, shares or intervals."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone

from thrive.contacts.models import RelationshipRole
from thrive.contacts.services import add_role
from thrive.prospects.clients import ClientTable
from thrive.prospects.models import IdealProfile
from thrive.prospects.plain import plain_highlights, plain_sentence
from thrive.prospects.portal import issue_portal_link
from thrive.prospects.profile import compute_profile
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _table() -> ClientTable:
    """200 clients where wholesale buyers and companies of 10–49 people are far more often
    among the most valuable, as in the demo roaster."""
    rng = np.random.default_rng(7)
    n = 200
    wholesale = rng.random(n) < 0.08
    mid_size = rng.random(n) < 0.3
    clv = rng.gamma(2.0, 100.0, n) + wholesale * 900 + mid_size * 800
    category = np.where(wholesale, "Wholesale", rng.choice(["Coffee", "Equipment"], n))
    size = np.where(mid_size, "10–49 people", "1–9 people")
    return ClientTable(
        as_of=dt.date(2026, 11, 30), person_ids=np.arange(1, n + 1), clv=clv,
        revenue=clv, tenure_days=np.full(n, 400), channel=np.full(n, "Unknown"),
        channel_slug=np.full(n, ""), first_product=np.full(n, "Unknown"),
        attributes={"first product's category": list(category), "company size": list(size)},
    )  # fmt: skip


def test_the_portal_tells_partners_who_we_serve_best_in_plain_sentences():
    payload = compute_profile(_table())
    staff_sentences = [h["sentence"] for h in payload["highlights"]]
    assert any("×" in s for s in staff_sentences)  # what the staff page shows
    IdealProfile.objects.create(computed_at=timezone.now(), clients=200, top_clients=20,
                                payload=payload)  # fmt: skip
    partner = PersonFactory(first_name="Maya")
    add_role(partner, RelationshipRole.REFERRAL_PARTNER, actor=None)
    client = Client()
    client.post("/partners/open/" + issue_portal_link(partner, actor=None).rsplit("/", 1)[1])
    html = client.get("/partners/").content.decode()
    section = html.split('id="who-h"', 1)[1].split("</section>", 1)[0]
    assert "Our best clients are most often wholesale buyers." in section
    assert "Our best clients are often companies of 10–49 people." in section
    for word in ("×", "%", "likely between", "top tenth", "could be chance"):
        assert word not in section, f"{word!r} in the partner's 'Who we serve best'"
    assert not re.search(r"\d+ of \d+", section)  # no counts like "10 of 14"
    for sentence in staff_sentences:
        assert sentence not in html


def test_each_attribute_is_said_once_strongest_first():
    rows = [
        {"attribute": "company size", "value": "10–49 people"},
        {"attribute": "company size", "value": "1–9 people"},
        {"attribute": "acquisition channel", "value": "Partner café"},
        {"attribute": "favourite roast", "value": "Dark"},
    ]
    assert plain_highlights(rows) == [
        "Our best clients are often companies of 10–49 people.",
        "Many of our best clients found us through Partner café.",
        "Our best clients often have “Dark” as their favourite roast.",
    ]
    assert plain_sentence("company industry", "Hospitality") == (
        "Our best clients often work in hospitality."
    )
