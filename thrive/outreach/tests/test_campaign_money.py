"""A campaign is judged on money: each variant's orders and revenue per person in the
chosen window against its holdout, with intervals and a verdict, on the results page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from thrive.analytics.money_outcomes import matched_starts
from thrive.commerce.models import OrderStatus
from thrive.conftest import client_for
from thrive.outreach.models import Delivery
from thrive.outreach.reports.money import campaign_money
from thrive.outreach.sending.dispatch import build_audience
from thrive.testing.factories import OrderFactory, PersonFactory

from .conftest import consenting_person
from .test_campaigns import make_campaign

pytestmark = pytest.mark.django_db


def _picked_40_days_ago(n: int, holdout: int):
    for _ in range(n):
        consenting_person()
    owner, campaign = make_campaign([], holdout_percent=holdout)
    start = timezone.now() - dt.timedelta(days=40)
    type(campaign).objects.filter(pk=campaign.pk).update(started_at=start)
    campaign.refresh_from_db()
    build_audience(campaign, now=start)
    return owner, campaign, start


def test_orders_in_the_window_after_the_pick_are_counted_per_arm_and_nothing_else():
    owner, campaign, start = _picked_40_days_ago(120, 25)
    rows = Delivery.objects.filter(campaign=campaign)
    held = list(rows.filter(skip_reason="holdout").values_list("person_id", flat=True))
    in_a = list(rows.filter(variant__label="A").values_list("person_id", flat=True))
    in_b = list(rows.filter(variant__label="B").values_list("person_id", flat=True))
    assert len(held) >= 2 and in_a and in_b
    # Known answer: the first 10 of A bought 30.00 on day 3 (one also 10.00 refunded 4.00);
    # the first 2 of the holdout bought 25.00 on day 20. Orders before the pick, after
    # the 30-day window, voided or pending do not count.
    for pid in in_a[:10]:
        OrderFactory(person_id=pid, total=Decimal("30.00"), ordered_at=start + dt.timedelta(days=3))
    OrderFactory(
        person_id=in_a[0], total=Decimal("10.00"), refunded=Decimal("4.00"),
        ordered_at=start + dt.timedelta(days=5),
    )  # fmt: skip
    for pid in held[:2]:
        OrderFactory(
            person_id=pid, total=Decimal("25.00"), ordered_at=start + dt.timedelta(days=20)
        )
    OrderFactory(person_id=in_b[0], total=Decimal("99.00"), ordered_at=start - dt.timedelta(days=1))
    OrderFactory(
        person_id=in_b[0], total=Decimal("99.00"), ordered_at=start + dt.timedelta(days=31)
    )
    OrderFactory(
        person_id=in_b[0], total=Decimal("99.00"), status=OrderStatus.VOIDED,
        ordered_at=start + dt.timedelta(days=2),
    )  # fmt: skip

    report = campaign_money(campaign, days=30)
    assert report is not None and report.control_kind == "holdout"
    a, b, both = report.rows
    assert (a.label, b.label, both.label) == ("Variant A", "Variant B", "All variants")
    assert a.uplift.treated.people == len(in_a)
    assert (a.uplift.treated.buyers, a.uplift.treated.orders) == (10, 11)
    assert a.uplift.treated.revenue == pytest.approx(306.0)
    assert (b.uplift.treated.buyers, b.uplift.treated.revenue) == (0, 0.0)
    control = a.uplift.control
    assert (control.people, control.buyers, control.revenue) == (len(held), 2, 50.0)
    assert a.uplift.revenue_difference == pytest.approx(306 / len(in_a) - 50 / len(held))
    assert both.uplift.treated.people == len(in_a) + len(in_b)
    assert not a.window_open
    # The 14-day window sees A's orders but not the holdout's (day 20).
    short = campaign_money(campaign, days=14)
    assert short is not None and short.rows[0].uplift.control.buyers == 0


def test_the_results_page_names_each_arm_and_gives_the_interval_and_verdict(read_only):
    # A 20% holdout of 60 is about 12 people: under 30 but for a one-in-a-million draw.
    owner, campaign, start = _picked_40_days_ago(60, 20)
    # Read-only people see the same section (a read: no write happens on GET).
    seen = client_for(read_only).get(f"/outreach/campaigns/{campaign.pk}/").content.decode()
    assert "Judged on money" in seen and "Holdout (sent nothing)" in seen
    held = list(
        Delivery.objects.filter(campaign=campaign, skip_reason="holdout").values_list(
            "person_id", flat=True
        )
    )
    page = client_for(owner).get(f"/outreach/campaigns/{campaign.pk}/?days=60").content.decode()
    assert "Judged on money" in page
    assert "the holdout: people picked at random from the same segment" in page
    assert "Holdout (sent nothing)" in page
    assert "Variant A" in page and "Variant B" in page and "Fresh beans for" in page
    assert '<option value="60" selected>' in page
    # Fewer than 30 people in the holdout: no verdict, and it says why.
    assert len(held) < 30
    assert f"smaller group has {min(len(held), 60 - len(held))}" in page or "Not enough" in page
    # A window we do not offer falls back to 30 days rather than failing.
    odd = client_for(owner).get(f"/outreach/campaigns/{campaign.pk}/?days=abc")
    assert odd.status_code == 200 and '<option value="30" selected>' in odd.content.decode()


def test_a_campaign_without_a_holdout_is_compared_with_a_matched_control():
    owner, campaign, start = _picked_40_days_ago(20, 0)
    # People added later were never picked. The 20 picked had no earlier orders, so only
    # the 8 others without earlier orders match them; the 5 with two earlier orders do not.
    fresh = {PersonFactory().pk for _ in range(8)}
    buyers = set()
    for _ in range(5):
        person = PersonFactory()
        buyers.add(person.pk)
        for back in (10, 5):
            OrderFactory(person=person, ordered_at=start - dt.timedelta(days=back))
    report = campaign_money(campaign, days=30)
    assert report is not None and report.control_kind == "matched"
    assert "matched control" in report.control_words
    control = report.rows[0].uplift.control
    assert control.people == 8
    picked = set(Delivery.objects.filter(campaign=campaign).values_list("person_id", flat=True))
    matched = matched_starts({pid: start for pid in picked}, exclude=picked)
    assert set(matched) == fresh and set(matched.values()) == {start}


def test_a_campaign_not_started_has_no_money_section():
    consenting_person()
    owner, campaign = make_campaign([])
    page = client_for(owner).get(f"/outreach/campaigns/{campaign.pk}/").content.decode()
    assert "Judged on money" not in page
