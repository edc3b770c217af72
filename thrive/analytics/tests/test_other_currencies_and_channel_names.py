"""A business selling in two currencies sees both wherever revenue is shown, each in its
own currency and never added together; and every page names channels in words."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db.models import F, Sum
from django.utils import timezone

from thrive.analytics import refresh
from thrive.analytics.aggregates import business_zone
from thrive.analytics.models import AnalyticsRefresh, DashboardSnapshot
from thrive.commerce.models import Order
from thrive.conftest import client_for
from thrive.contacts.services import record_referral
from thrive.growth import services as growth
from thrive.testing.business import CHANNELS, build_business
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
RAW_KEYS = [slug for slug, _, _ in CHANNELS if "_" in slug]


class _Text(HTMLParser):
    """The text a person reads: element text and the labels of form options, no markup,
    no attribute values (a filter's option value may be a key), no scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in {"script", "style"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def business(owner):
    shop = build_business(owner)
    partner = PersonFactory(first_name="Maya", last_name="Partner")
    for person in shop.clients[:3]:  # the three who also bought in CAD
        record_referral(partner, person, actor=owner)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refresh.run_refresh(AnalyticsRefresh.objects.create().pk, as_of=tomorrow)
    return shop


def test_each_page_shows_the_other_currency_beside_the_business_currency(business, owner):
    assert business.other_orders == 3 and business.other_revenue == Decimal(330)
    client = client_for(owner)
    snapshot = DashboardSnapshot.objects.get()
    revenue = next(k for k in snapshot.payload["kpis"] if k["key"] == "revenue")
    # The USD figure stays pure: exactly the USD orders of the window, no CAD mixed in.
    as_of = timezone.localdate() + dt.timedelta(days=1)
    start = dt.datetime.combine(as_of - dt.timedelta(days=90), dt.time.min, tzinfo=business_zone())
    usd = Order.objects.filter(currency="USD", ordered_at__gte=start).aggregate(
        s=Sum(F("total") - F("refunded"))
    )["s"]
    assert revenue["value"] == pytest.approx(float(usd))
    assert revenue["others"] == [{"currency": "CAD", "revenue": 330.0, "orders": 3}]

    home = visible(client.get("/").content.decode())
    assert "also 330 CAD (3 orders), not included" in home

    reach = visible(client.get("/reach/").content.decode())
    assert "Not in these figures: orders in other currencies, 330 CAD (3 orders)" in reach
    # Every amount in the channel table carries its currency: a mean CLV for each of the
    # eight channels, and a CAC for each of the three paid ones.
    table = reach[reach.index("By acquisition channel") : reach.index("By first product")]
    assert len(re.findall(r"\d USD", table)) >= 8 + 3, table

    ecosystem = visible(client.get("/ecosystem/").content.decode())
    assert "also 330 CAD (3 orders)" in ecosystem and "Maya Partner" in ecosystem

    today = timezone.localdate()
    check = growth.run_health_check(
        actor=owner, period_start=today - dt.timedelta(days=60), period_end=today
    )
    html = visible(client.get(f"/growth/health/{check.pk}/").content.decode())
    assert "Not included: orders in other currencies, 330 CAD (3 orders)." in html

    import pypdfium2

    pdf = pypdfium2.PdfDocument(
        io.BytesIO(client.get(f"/growth/health/{check.pk}/report.pdf").content)
    )
    text = " ".join(
        " ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))
    )
    assert "330 CAD (3 orders)" in text


def test_no_page_shows_a_raw_channel_key(business, owner):
    client = client_for(owner)
    today = timezone.localdate()
    check = growth.run_health_check(
        actor=owner, period_start=today - dt.timedelta(days=60), period_end=today
    )
    pages = ["/", "/reach/", "/ecosystem/", "/people/", f"/growth/health/{check.pk}/"]
    home = visible(client.get("/").content.decode())
    # The CAC card lists the paid channels by name.
    assert "Paid search:" in home and "Social ads:" in home and "Events & markets:" in home
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible(response.content.decode())
        for key in RAW_KEYS:
            assert key not in text, (url, key)
