"""The printed health check reads right: the business's name in the footer of every page
exactly as written, month labels under the revenue bars that never overlap, and no
WeasyPrint progress chatter in the log."""

from __future__ import annotations

import io
import logging
import re

import pytest

from thrive.conftest import client_for
from thrive.growth import charts as growth_charts
from thrive.growth.templatetags.growth_tags import css_string
from thrive.insights.report import charts

from .test_health import two_quarters

pytestmark = pytest.mark.django_db
AWKWARD = 'Kettle & Crow "Roasters" \\ Sons </style>'


def test_a_name_becomes_a_css_string_that_cannot_break_out():
    quoted = css_string(AWKWARD)
    assert quoted.startswith('"') and quoted.endswith('"')
    inner = quoted[1:-1]
    assert '"' not in inner and "<" not in inner and "&" not in inner
    # Each escape is a backslash, hex digits and the one space that ends it.
    assert re.sub(r"\\[0-9A-F]+ ", "", inner) == "Kettle  Crow Roasters  Sons style"
    assert "\\26 " in inner and "\\5C " in inner and "\\22 " in inner


def test_the_pdf_footer_shows_the_name_as_written_on_every_page(read_only, owner, settings):
    import pypdfium2

    settings.THRIVE_BUSINESS_NAME = AWKWARD
    _, q3 = two_quarters(owner)
    response = client_for(read_only).get(f"/growth/health/{q3.pk}/report.pdf")
    assert response.status_code == 200
    pdf = pypdfium2.PdfDocument(io.BytesIO(response.content))
    pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    assert len(pages) >= 1
    for number, text in enumerate(pages, start=1):
        flat = " ".join(text.split())
        assert f"{AWKWARD} · health check · page {number} of {len(pages)}" in flat, flat[-300:]
        assert "u0026" not in flat


def test_month_labels_under_twelve_bars_never_come_closer_than_their_width():
    months = [f"2025-{m:02d}" for m in range(12, 13)] + [f"2026-{m:02d}" for m in range(1, 12)]
    svg = growth_charts.revenue_margin_chart(
        [{"month": m, "revenue": 1000.0 + i} for i, m in enumerate(months)], "USD"
    )
    drawn = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle">([^<]+)<', svg)
    labels = [(float(x), text) for x, text in drawn if re.fullmatch(r"[A-Z][a-z]{2} \d\d", text)]
    assert len(labels) >= 4, svg
    assert labels[-1][1] == "Nov 26"  # the latest month is always labelled
    for (x1, a), (x2, b) in zip(labels, labels[1:], strict=False):
        assert x2 - x1 >= max(charts.label_width(a), charts.label_width(b)), (a, b, x2 - x1)


def test_labels_that_fit_are_all_drawn():
    kept = charts.category_labels(["Q1", "Q2", "Q3", "Q4"], 60.0, 100.0)
    assert [label for _, label in kept] == ["Q1", "Q2", "Q3", "Q4"]
    assert [x for x, _ in kept] == [110.0, 210.0, 310.0, 410.0]


def test_weasyprint_progress_steps_stay_out_of_the_log(read_only, owner, caplog):
    _, q3 = two_quarters(owner)
    with caplog.at_level(logging.INFO):
        client_for(read_only).get(f"/growth/health/{q3.pk}/report.pdf")
    assert not [r for r in caplog.records if r.getMessage().startswith("Step ")]
    assert not logging.getLogger("weasyprint.progress").isEnabledFor(logging.INFO)
