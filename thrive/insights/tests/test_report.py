"""The offline report: numbers computed by hand, escaping, offline-ness, CLI behaviour."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from thrive.insights.orders_csv import read_order_rows
from thrive.insights.report import charts
from thrive.insights.report.build import build_report
from thrive.insights.report.cli import main
from thrive.insights.report.render import render_html
from thrive.insights.report.sections import (
    AtRisk,
    ClvSection,
    CohortSection,
    CrossSell,
    ModelCheck,
    RfmSection,
    Trend,
    Unavailable,
)

from .cdnow_paths import CDNOW_DIR

CDNOW_MASTER = CDNOW_DIR / "CDNOW_master.txt"
EVIL = "<script>alert(1)</script>"
FIXED_NOW = datetime(2024, 4, 1, 9, 30, tzinfo=UTC)

# Orders by hand: order 3 has two lines; order 5 has a partial refund line; order 6 is
# fully refunded; row 12 has a non-numeric amount and is skipped.
SMALL = """order_id,customer,date,total,product,channel
1,ann,2024-01-10,100,Beans,web
2,bob,2024-01-20,50,Mug,shop
3,ann,2024-02-05,30,Beans,web
3,ann,2024-02-05,20,Mug,web
4,cat,2024-02-15,40,Beans,web
5,bob,2024-03-01,60,Beans,shop
5,bob,2024-03-02,-10,Beans,shop
6,dan,2024-03-10,25,Tea,web
6,dan,2024-03-11,-25,Tea,web
7,ann,2024-03-05,0,Sample,web
8,eve,2024-03-20,abc,Tea,web
"""


def write(tmp_path: Path, text: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_headline_kpis_match_a_hand_count(tmp_path: Path) -> None:
    rows = read_order_rows(write(tmp_path, SMALL))
    report = build_report(rows, file_name="orders.csv", now=FIXED_NOW)
    k = report.kpis
    # Purchases: 1 (100), 2 (50), 3 (30 + 20), 4 (40), 5 (60 - 10), 7 (a free sample, 0).
    # Order 6 nets to 0 after its refund, so it is not a purchase and dan is no customer.
    assert k.revenue == pytest.approx(100 + 50 + 50 + 40 + 50 + 0)
    assert k.orders == 6
    assert k.customers == 3  # ann, bob, cat
    assert k.repeat_customers == 2  # ann (1, 3, 7), bob (2, 5)
    assert k.repeat_rate == pytest.approx(2 / 3)
    assert k.average_order_value == pytest.approx(290 / 6)
    # The file ends on 11 March, so March is partial: growth compares Feb (90) with Jan (150).
    assert k.growth == pytest.approx(90 / 150 - 1)
    assert k.growth_label == "Feb 2024 vs Jan 2024"
    assert (k.first_date, k.last_date) == (date(2024, 1, 10), date(2024, 3, 11))
    assert report.source.rows_skipped == 1
    assert report.source.skipped[0].row == 12
    assert report.source.fully_refunded_orders == 1
    assert report.source.refund_lines == 2


def test_monthly_trend_and_segments_of_the_hand_made_file(tmp_path: Path) -> None:
    rows = read_order_rows(write(tmp_path, SMALL))
    report = build_report(rows, file_name="orders.csv", now=FIXED_NOW)
    assert isinstance(report.trend, Trend)
    assert report.trend.months == ("2024-01", "2024-02", "2024-03")
    assert report.trend.revenue.tolist() == [150.0, 90.0, 50.0]
    assert report.trend.partial_last_month
    assert isinstance(report.rfm, RfmSection)
    assert sum(s.customers for s in report.rfm.segments) == 3
    assert sum(s.revenue for s in report.rfm.segments) == pytest.approx(290.0)
    assert isinstance(report.cohorts, CohortSection)
    assert report.cohorts.cohorts == ("2024-01", "2024-02")
    assert report.cohorts.sizes == (2, 1)
    # January's cohort (ann, bob): both back in February? ann yes, bob no -> 50%.
    assert report.cohorts.retention[0, 1] == pytest.approx(0.5)
    # Too few customers for the models: the sections say why instead of failing.
    assert isinstance(report.clv, Unavailable)
    assert "at least 20 customers" in report.clv.reason


def test_report_page_is_offline_and_escaped(tmp_path: Path) -> None:
    text = SMALL + f"9,{EVIL},2024-03-06,12,<b>Tea</b>,web\n10,zed,2024-03-07,{EVIL},Tea,web\n"
    rows = read_order_rows(write(tmp_path, text))
    report = build_report(rows, file_name="<i>orders</i>.csv", now=FIXED_NOW)
    html = render_html(report)
    assert EVIL not in html
    assert "<b>Tea</b>" not in html and "<i>orders</i>" not in html
    assert "&lt;i&gt;orders&lt;/i&gt;.csv" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # quoted in the skipped-row reason
    assert_offline(html)


def assert_offline(html: str) -> None:
    assert not re.search(r"https?://", html), "the page must not reference any URL"
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert "@import" not in html and "url(" not in html
    assert html.startswith("<!doctype html>")


def test_every_chart_is_well_formed_svg_with_title_and_description() -> None:
    svgs = [
        charts.line_chart(
            "a",
            "Revenue <&>",
            "desc",
            [charts.Series("S <1>", [0, 1, 2], [1.0, float("nan"), 3])],
            x_ticks=[(0, "Jan"), (1, "Feb"), (2, "Mar")],
            bands=[charts.Band("80%", [1, 2], [0.5, 1.0], [1.5, 4.0])],
            marker=(1, "cut"),
        ),
        charts.bar_chart("b", "Bars", "desc", ["x <y>", "z"], [3.0, 1.0]),
        charts.grouped_bar_chart("c", "G", "desc", ["0", "1"], [("P", [1, 2]), ("A", [2, 1])]),
        charts.heat_map(
            "d",
            "H",
            "desc",
            ["r1", "r2"],
            ["0", "1"],
            [[1.0, 0.2], [1.0, float("nan")]],
            value_format=lambda v: f"{v:.0%}",
        ),
        charts.histogram("e", "Hist", "desc", [0, 1, 2, 3], [5, 0, 2]),
        charts.histogram("f", "Empty", "desc", [0, 1], [0]),
    ]
    for svg in svgs:
        root = ET.fromstring(svg)  # noqa: S314 - our own markup, not untrusted input
        assert root.tag == "svg" and root.get("role") == "img"
        assert root.find("title") is not None and root.find("desc") is not None
        assert root.get("aria-labelledby")
    assert "S &lt;1&gt;" in svgs[0] and "x &lt;y&gt;" in svgs[1]


def test_cli_writes_the_report_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.html"
    code = main([str(write(tmp_path, SMALL)), "--output", str(out), "--holdout-weeks", "4"])
    assert code == 0
    captured = capsys.readouterr()
    assert "1 skipped" in captured.out
    assert 'row 12, column "total"' in captured.out
    assert "Wrote" in captured.out
    assert_offline(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        ("", [], "is empty"),
        ("who,when,what\na,b,c\n", [], "no customer column"),
        (SMALL, ["--revenue", "gross"], "invalid choice"),
        (SMALL, ["--holdout-weeks", "0"], "must be at least 1"),
        (SMALL, ["--delimiter", "ab"], "--delimiter must be one character"),
    ],
)
def test_cli_input_errors_exit_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    args: list[str],
    expected: str,
) -> None:
    code = main([str(write(tmp_path, content)), "-o", str(tmp_path / "r.html"), *args])
    assert code == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_cli_missing_file_and_unwritable_output_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    target = tmp_path / "no-such-dir" / "r.html"
    assert main([str(write(tmp_path, SMALL)), "-o", str(target), "-q"]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_cli_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "--customer" in capsys.readouterr().out


def test_python_dash_m_runs_the_command(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "thrive.insights.report",
            str(write(tmp_path, SMALL)),
            "-o",
            str(out),
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.exists()


def churned_whale_file(tmp_path: Path) -> Path:
    """60 customers with regular habits, and one big spender who went quiet 4 months ago."""
    rng = np.random.default_rng(7)
    start = date(2022, 1, 3)
    lines = ["order_id,customer,date,total,product"]
    n = 0
    products = ["Beans", "Mug", "Filter", "Tea", "Grinder"]
    for c in range(60):
        first = start + timedelta(days=int(rng.integers(0, 120)))
        gap = int(rng.integers(20, 90))
        day = first
        while day < date(2023, 12, 31):
            n += 1
            basket = rng.choice(products, size=int(rng.integers(1, 3)), replace=False)
            for p in basket:
                lines.append(f"{n},cust{c},{day},{rng.uniform(10, 40):.2f},{p}")
            day += timedelta(days=gap + int(rng.integers(-10, 10)))
            if rng.random() < 0.04:
                break
    for k in range(12):  # weekly, large orders from June 2023, then silence since August
        n += 1
        lines.append(f"{n},{EVIL},{date(2023, 6, 1) + timedelta(days=7 * k)},400.00,Grinder")
    return write(tmp_path, "\n".join(lines) + "\n")


def test_models_find_the_churned_big_spender_and_escape_their_id(tmp_path: Path) -> None:
    rows = read_order_rows(churned_whale_file(tmp_path))
    report = build_report(rows, file_name="shop.csv", strict=True, now=FIXED_NOW)
    assert isinstance(report.clv, ClvSection)
    assert report.clv.customers == 61
    assert isinstance(report.at_risk, AtRisk)
    assert report.at_risk.customers[0].customer_id == EVIL
    assert report.at_risk.customers[0].p_alive < 0.5
    assert isinstance(report.model_check, ModelCheck)
    assert isinstance(report.cross_sell, CrossSell)
    html = render_html(report)
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_offline(html)


def test_cdnow_master_report_end_to_end(tmp_path: Path) -> None:
    started = time.perf_counter()
    out = tmp_path / "cdnow.html"
    assert main([str(CDNOW_MASTER), "-o", str(out), "-q"]) == 0
    elapsed = time.perf_counter() - started
    html = out.read_text(encoding="utf-8")
    assert_offline(html)
    for anchor in ("kpis", "trend", "cohorts", "segments", "clv", "at-risk", "model-check"):
        assert f'id="{anchor}"' in html
    assert "Not shown" not in html.split('id="cross-sell"')[0]  # every model section rendered
    assert "23,570" in html
    assert elapsed < 120


def test_cdnow_master_sections_strict() -> None:
    rows = read_order_rows(CDNOW_MASTER)
    report = build_report(rows, file_name="CDNOW_master.txt", strict=True, holdout_weeks=39)
    assert report.kpis.customers == 23_570
    assert isinstance(report.model_check, ModelCheck)
    assert report.model_check.calibration_end == date(1997, 9, 30)
    # BG/NBD under-predicts CDNOW's holdout somewhat (about -14% on the master file with
    # these conventions); a much larger error would mean the wiring, not the model, is off.
    assert abs(report.model_check.holdout_error) < 0.2
    assert isinstance(report.at_risk, AtRisk) and report.at_risk.customers


def test_channels_group_customers_by_their_first_order(tmp_path: Path) -> None:
    rows = read_order_rows(write(tmp_path, SMALL))
    report = build_report(rows, file_name="orders.csv", now=FIXED_NOW)
    assert report.channels is not None
    by_name = {r.channel: r for r in report.channels.rows}
    assert set(by_name) == {"web", "shop"}
    assert (by_name["web"].customers, by_name["web"].revenue) == (2, 190.0)  # ann, cat
    assert by_name["web"].repeat_rate == pytest.approx(0.5)
    assert (by_name["shop"].customers, by_name["shop"].revenue) == (1, 100.0)  # bob
    assert 'id="channels"' in render_html(report)


def test_cross_sell_rules_have_hand_checked_support_confidence_and_lift(
    tmp_path: Path,
) -> None:
    lines = ["order_id,customer,date,total,product"]
    baskets = [("Beans", "Filter")] * 20 + [("Beans",)] * 10 + [("Tea",)] * 10
    for i, basket in enumerate(baskets):
        for product in basket:
            lines.append(f"{i},c{i % 7},2024-01-{1 + i % 28:02d},5,{product}")
    rows = read_order_rows(write(tmp_path, "\n".join(lines) + "\n"))
    report = build_report(rows, file_name="orders.csv", now=FIXED_NOW)
    assert isinstance(report.cross_sell, CrossSell)
    assert report.cross_sell.baskets == 40
    rules = {(r.antecedent, r.consequent): r for r in report.cross_sell.rules}
    filter_beans = rules[(("Filter",), ("Beans",))]
    assert filter_beans.support == pytest.approx(20 / 40)
    assert filter_beans.confidence == pytest.approx(1.0)
    assert filter_beans.lift == pytest.approx(1.0 / (30 / 40))
    beans_filter = rules[(("Beans",), ("Filter",))]
    assert beans_filter.confidence == pytest.approx(20 / 30)
    assert beans_filter.lift == pytest.approx((20 / 30) / (20 / 40))


def test_a_file_without_products_says_how_to_get_cross_sell(tmp_path: Path) -> None:
    text = "customer,date,amount\na,2024-01-01,5\nb,2024-01-02,7\n"
    report = build_report(read_order_rows(write(tmp_path, text)), file_name="x.csv")
    assert isinstance(report.cross_sell, Unavailable)
    assert "--product" in report.cross_sell.reason
    assert report.channels is None


def test_a_short_file_explains_the_missing_model_sections(tmp_path: Path) -> None:
    text = "customer,date,amount\na,2024-01-01,5\nb,2024-01-03,7\n"
    report = build_report(read_order_rows(write(tmp_path, text)), file_name="x.csv")
    assert isinstance(report.model_check, Unavailable)
    assert "needs at least 8 weeks" in report.model_check.reason
    assert isinstance(report.trend, Trend) and report.kpis.growth is None
    html = render_html(report)
    assert "Not shown: the file covers 2 days" in html


def test_refunds_that_cancel_every_order_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "order,customer,date,amount\n1,a,2024-01-01,5\n1,a,2024-01-02,-5\n"
    assert main([str(write(tmp_path, text)), "-o", str(tmp_path / "r.html"), "-q"]) == 2
    assert "no purchases left after netting refunds" in capsys.readouterr().err
