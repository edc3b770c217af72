"""Health checks: the owner's figures, customers, operations, compared with the last check,
as a page and as a PDF that really renders (pages turned into images)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from thrive.conftest import client_for
from thrive.contacts import services as contacts
from thrive.contacts.models import ActivityKind, Direction
from thrive.growth import services
from thrive.growth.health import compare
from thrive.growth.models import HealthCheck
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
SCREENS = Path(__file__).resolve().parents[3] / "artifacts" / "screens"
ZONE = dt.UTC


def figures(owner, months: list[tuple[str, int, int, float]]) -> None:
    for month, revenue, cost, fte in months:
        services.save_monthly_figures(
            actor=owner,
            month=dt.date.fromisoformat(month + "-01"),
            revenue=Decimal(revenue),
            cost_of_sales=Decimal(cost),
            operating_costs=Decimal(1000),
            employees=fte,
        )


def two_quarters(owner) -> tuple[HealthCheck, HealthCheck]:
    figures(
        owner,
        [
            ("2026-04", 10000, 4000, 3),
            ("2026-05", 12000, 4800, 3),
            ("2026-06", 11000, 4400, 3),
            ("2026-07", 13000, 5850, 4),
            ("2026-08", 14000, 6300, 4),
            ("2026-09", 15000, 6750, 4),
        ],
    )
    q2 = services.run_health_check(
        actor=owner, period_start=dt.date(2026, 4, 1), period_end=dt.date(2026, 6, 30)
    )
    q3 = services.run_health_check(
        actor=owner,
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        summary="Wholesale grew.",
        competitive_notes="A chain café opened nearby.",
    )
    return q2, q3


def test_financial_figures_and_comparison_by_hand(owner):
    q2, q3 = two_quarters(owner)
    fin2, fin3 = q2.figures["financial"], q3.figures["financial"]
    # Q2: revenue 33,000, cost 13,200 → gross margin 60%; opex 3,000 → (33,000−16,200)/33,000.
    assert fin2["revenue"] == 33000 and fin2["gross_margin"] == pytest.approx(0.6)
    assert fin2["net_margin"] == pytest.approx(16800 / 33000)
    # Q3: 42,000 revenue, 18,900 cost → 55%; 4 FTE → 42,000 × 12 ÷ 3 ÷ 4 = 42,000 a year.
    assert fin3["gross_margin"] == pytest.approx(0.55)
    assert fin3["revenue_per_employee"] == pytest.approx(42000)
    assert q3.previous() == q2 and q2.previous() is None
    rows = {r["key"]: r for r in compare(q3.figures, q2.figures)}
    assert rows["revenue"]["change"] == 9000 and rows["revenue"]["good"] is True
    assert rows["gross_margin"]["change"] == pytest.approx(-0.05)
    assert rows["gross_margin"]["good"] is False


def test_response_time_is_the_median_hours_to_a_personal_reply(owner):
    start = dt.datetime(2026, 7, 10, 9, tzinfo=ZONE)
    people = [PersonFactory() for _ in range(3)]
    for person, hours in zip(people, (2, 5, 30), strict=True):
        contacts.log_interaction(
            person,
            ActivityKind.EMAIL,
            actor=owner,
            occurred_at=start,
            direction=Direction.INBOUND,
            subject="A question",
        )
        contacts.log_interaction(
            person,
            ActivityKind.CALL,
            actor=owner,
            occurred_at=start + dt.timedelta(hours=hours),
            subject="The answer",
        )
    check = services.run_health_check(
        actor=owner, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30)
    )
    ops = check.figures["operations"]
    assert ops["response_hours_median"] == pytest.approx(5.0)
    assert ops["responses"] == 3 and ops["outbound"] == 3 and ops["automation_rate"] == 0.0


def test_without_figures_revenue_comes_from_orders_and_margin_is_unknown(owner):
    check = services.run_health_check(
        actor=owner, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30)
    )
    fin = check.figures["financial"]
    assert fin["source"] == "orders" and fin["gross_margin"] is None and fin["revenue"] == 0


def test_the_page_compares_with_the_previous_check(read_only, owner):
    _, q3 = two_quarters(owner)
    body = client_for(read_only).get(f"/growth/health/{q3.pk}/").content.decode()
    assert "Previous check" in body and "+9,000 USD" in body and "-5.0 pts" in body
    assert "A chain café opened nearby." in body and "<svg" in body


def test_the_pdf_renders_and_its_pages_become_images(read_only, owner):
    import pypdfium2

    _, q3 = two_quarters(owner)
    response = client_for(read_only).get(f"/growth/health/{q3.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(io.BytesIO(response.content))
    assert 1 <= len(pdf) <= 4
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "health check" in text and "Gross margin" in text and "Previous check" in text
    SCREENS.mkdir(parents=True, exist_ok=True)
    for i in range(len(pdf)):
        image = pdf[i].render(scale=1.4).to_pil()
        assert image.width > 700
        # Not blank: dark pixels of text (and charts on the first page).
        histogram = image.convert("L").histogram()
        assert sum(histogram[:128]) > (5000 if i == 0 else 500)
        image.save(SCREENS / f"growth-health-pdf-page{i + 1}.png")


def test_read_only_cannot_run_a_check_or_enter_figures(read_only):
    client = client_for(read_only)
    assert client.get("/growth/health/").status_code == 200
    data = {"period_start": "2026-07-01", "period_end": "2026-09-30"}
    assert client.post("/growth/health/", data).status_code == 403
    figures_data = {"month": "2026-07", "revenue": "1", "cost_of_sales": "1", "employees": "1"}
    assert client.post("/growth/health/figures", figures_data).status_code == 403
    with pytest.raises(PermissionDenied):
        services.run_health_check(
            actor=read_only, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30)
        )


def test_owner_enters_a_month_and_runs_a_check_from_the_page(owner):
    client = client_for(owner)
    client.post(
        "/growth/health/figures",
        {"month": "2026-07", "revenue": "13000", "cost_of_sales": "5850", "employees": "4"},
    )
    response = client.post(
        "/growth/health/", {"period_start": "2026-07-01", "period_end": "2026-09-30"}
    )
    check = HealthCheck.objects.get()
    assert response["Location"].endswith(f"/growth/health/{check.pk}/")
    assert check.figures["financial"]["gross_margin"] == pytest.approx(0.55)
    bad = client.post(
        "/growth/health/", {"period_start": "2026-09-30", "period_end": "2026-07-01"}, follow=True
    )
    assert "must end after it starts" in bad.content.decode()


def test_repeat_rate_at_the_end_of_the_period_counts_purchase_days_by_hand(owner):
    from thrive.growth.health import repeat_rate_before
    from thrive.testing.factories import OrderFactory

    day = dt.datetime(2026, 8, 10, 12, tzinfo=ZONE)
    twice, once, same_day = PersonFactory(), PersonFactory(), PersonFactory()
    OrderFactory(person=twice, ordered_at=day)
    OrderFactory(person=twice, ordered_at=day + dt.timedelta(days=20))
    OrderFactory(person=once, ordered_at=day)
    OrderFactory(person=same_day, ordered_at=day)
    OrderFactory(person=same_day, ordered_at=day + dt.timedelta(hours=2))
    OrderFactory(person=once, ordered_at=dt.datetime(2026, 10, 5, tzinfo=ZONE))  # after the end
    # One of three customers bought on two different days before October.
    assert repeat_rate_before(dt.datetime(2026, 10, 1, tzinfo=ZONE)) == pytest.approx(1 / 3)
    assert repeat_rate_before(dt.datetime(2026, 11, 1, tzinfo=ZONE)) == pytest.approx(2 / 3)
    assert repeat_rate_before(dt.datetime(2026, 1, 1, tzinfo=ZONE)) is None


def test_a_month_not_entered_is_not_counted_as_zero_when_annualising(owner):
    figures(owner, [("2026-07", 13000, 5850, 4), ("2026-08", 14000, 6300, 4)])
    check = services.run_health_check(
        actor=owner, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30)
    )
    fin = check.figures["financial"]
    # 27,000 over the two months entered → 13,500 a month → 162,000 a year ÷ 4 FTE.
    assert fin["months_entered"] == 2 and fin["revenue_per_employee"] == pytest.approx(40500)
