"""Real shop exports: one row per line item, partial refunds, voids, notes, two currencies.

Every expected figure below was worked out by hand from the files in ``data/shop`` (see
their orders in the comments), not by running the code.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from thrive.insights.orders_csv import OrdersFileError, read_order_rows
from thrive.insights.report import descriptive
from thrive.insights.report.build import build_report
from thrive.insights.report.cli import main
from thrive.insights.report.render import cross_sell_finding, render_html
from thrive.insights.report.sections import ClvSection, CrossSell, CurrencyRow, Unavailable

SHOP = Path(__file__).resolve().parent / "data" / "shop"
TWO_CURRENCIES = SHOP / "shopify_two_currencies.csv"
LINE_PRICES = SHOP / "shopify_line_prices.csv"

# shopify_two_currencies.csv, one order per "Name", order-level fields on its first line:
#   #1001 ann  USD  Total 53.60 (Subtotal 45 after a 5.00 discount)          2 lines
#   #1002 bob  USD  Total 86.40, Subtotal 80, Refunded Amount 20              2 lines
#   #1003 ann  USD  voided, Cancelled at set                                  2 lines
#   #1004 cara EUR  Total 51.60, Subtotal 40                                  1 line
#   #1005 ann  USD  Total 26.60, Subtotal 20                                  1 line
#   #1006 dan  USD  refunded in full (status "refunded")                      1 line
#   #1007 cara EUR  Total 76.16, Subtotal 60, Refunded Amount 10              1 line
#   #1008 eve  USD  Total 54.00, Subtotal 45                                  3 lines
# USD by Total:    53.60 + (86.40 - 20) + 26.60 + 54.00 = 200.60, 4 orders, 3 customers
# USD by Subtotal: 45 + (80 - 20) + 20 + 45 = 170.00
# USD by lines:    (2x15 + 20) + (60 + 20 - 20) + 20 + (15 + 20 + 10) = 175.00
# EUR by Total:    51.60 + (76.16 - 10) = 117.76, 2 orders, 1 customer
# EUR by Subtotal and by lines: 40 + (60 - 10) = 90.00


def _currency(rows: tuple[CurrencyRow, ...], code: str) -> CurrencyRow:
    return next(r for r in rows if r.code == code)


def test_shop_export_counts_each_order_total_once_without_any_flag() -> None:
    rows = read_order_rows(TWO_CURRENCIES)
    assert rows.columns["order"] == "Name"
    assert rows.columns["amount"] == "Total"
    report = build_report(rows, file_name="shop.csv")
    usd, eur = _currency(report.currencies, "USD"), _currency(report.currencies, "EUR")
    assert (usd.orders, usd.customers, usd.revenue) == (4, 3, pytest.approx(200.60))
    assert (eur.orders, eur.customers, eur.revenue) == (2, 1, pytest.approx(117.76))
    assert usd.main and not eur.main
    # The headline is the main currency's.
    assert report.currency == "USD"
    assert report.kpis.revenue == pytest.approx(200.60)
    assert report.kpis.orders == 4
    assert "counted once per order" in report.source.revenue_basis
    assert "includes taxes and shipping" in report.source.revenue_basis
    # Voided (#1003, both lines) and refunded (#1006) orders are left out, with reasons.
    assert rows.rows_skipped == 3


def test_revenue_subtotal_leaves_taxes_and_shipping_out() -> None:
    rows = read_order_rows(TWO_CURRENCIES, revenue="subtotal")
    report = build_report(rows, file_name="shop.csv")
    assert _currency(report.currencies, "USD").revenue == pytest.approx(170.0)
    assert _currency(report.currencies, "EUR").revenue == pytest.approx(90.0)
    assert "without taxes and shipping" in report.source.revenue_basis


def test_line_prices_only_are_summed_with_quantities_and_the_report_says_so() -> None:
    rows = read_order_rows(LINE_PRICES)
    report = build_report(rows, file_name="lines.csv")
    assert _currency(report.currencies, "USD").revenue == pytest.approx(175.0)
    assert _currency(report.currencies, "EUR").revenue == pytest.approx(90.0)
    basis = report.source.revenue_basis
    assert '"Lineitem price" × "Lineitem quantity"' in basis
    assert "discounts, shipping and taxes are not in it" in basis


def test_refunded_amount_column_is_taken_off_net_revenue(tmp_path: Path) -> None:
    # Seven orders of 100; orders 2 and 5 were partly refunded (25 and 35): 700 - 60 = 640.
    lines = ["order_id,customer,date,total,refunded amount"]
    refunds = {2: "25.00", 5: "35.00"}
    for i in range(1, 8):
        lines.append(f"{i},c{i % 3},2024-0{1 + i % 3}-1{i},100.00,{refunds.get(i, '')}")
    path = tmp_path / "refunds.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = build_report(read_order_rows(path), file_name="refunds.csv")
    assert report.kpis.revenue == pytest.approx(640.0)
    assert report.kpis.orders == 7
    assert report.source.rows_accepted == 7  # the refunds are not extra file rows


def test_unrecognised_columns_are_never_read(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        "customer,date,amount,note\n"
        "a,2024-01-05,50.00,\n"
        "b,2024-01-09,60.00,refunded by phone\n"
        "a,2024-02-01,30.00,\n",
        encoding="utf-8",
    )
    rows = read_order_rows(path)
    assert rows.currency is None and rows.row_currencies is None
    assert rows.order_ids is None and rows.products is None and rows.channels is None
    assert rows.ignored_columns == ("note",)
    report = build_report(rows, file_name="notes.csv")
    assert report.currency is None
    assert (report.kpis.revenue, report.kpis.orders, report.kpis.customers) == (140.0, 3, 2)


def test_a_gift_wrap_column_drops_no_order(tmp_path: Path) -> None:
    # 20 orders, one per customer-day; every fifth asks for gift wrapping.
    lines = ["email,order_date,total,Gift - please wrap"]
    for i in range(20):
        lines.append(f"c{i}@example.com,2024-01-{i + 1:02d},10.00,{'Yes' if i % 5 == 0 else ''}")
    path = tmp_path / "gift.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = read_order_rows(path)
    assert rows.rows_accepted == 20 and rows.rows_skipped == 0
    report = build_report(rows, file_name="gift.csv")
    assert (report.kpis.orders, report.kpis.revenue) == (20, 200.0)


def test_cli_lists_columns_used_and_ignored_and_each_currency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.html"
    assert main([str(TWO_CURRENCIES), "-o", str(out), "--quiet"]) == 0
    assert main([str(TWO_CURRENCIES), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert '"Name" as order id' in text
    assert 'Columns ignored (nothing read from them): "Paid at"' in text
    assert '"Notes"' in text and '"Gift - please wrap"' in text
    assert "USD: 3 customers, 4 orders, revenue 200.60 USD (main currency)" in text
    assert "EUR: 1 customer, 2 orders, revenue 117.76 EUR" in text
    html = out.read_text(encoding="utf-8")
    assert "Columns ignored (13)" in html
    assert "<code>Gift - please wrap</code>" in html


def test_a_three_row_file_explains_itself_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a twice in January, b once in March: every holdout purchase is a new customer's.
    path = tmp_path / "tiny.csv"
    path.write_text(
        "customer,date,amount\na,2024-01-05,10\na,2024-01-20,12\nb,2024-03-10,9\n",
        encoding="utf-8",
    )
    report = build_report(read_order_rows(path), file_name="tiny.csv")
    assert isinstance(report.model_check, Unavailable)
    assert "bought again" in report.model_check.reason
    (warning,) = report.warnings
    assert warning.startswith("This file has only 3 orders from 2 customers")
    assert main([str(path), "-o", str(tmp_path / "tiny.html")]) == 0
    out = capsys.readouterr().out
    assert "revenue 31.00" in out
    assert "the file has 2 customers and 1 repeat customer\n" in out


def test_customers_are_shown_by_name_with_their_email_uncut_in_the_title() -> None:
    rows = read_order_rows(TWO_CURRENCIES)
    assert rows.customer_names["ann@example.com"] == "Ann Smith"
    long_email = "evelyn.verylongsurname-accounts@some-very-long-company-domain.example.com"
    assert rows.customer_names[long_email] == "Evelyn Long"
    from thrive.insights.report.render import _who

    cell = _who("Evelyn Long", long_email)
    assert '<span class="who">Evelyn Long</span>' in cell
    assert f'title="{long_email}"' in cell
    css = render_html(build_report(rows, file_name="shop.csv"))
    assert "text-overflow: ellipsis" in css and "white-space: nowrap" in css


def _pairs_file(tmp_path: Path) -> Path:
    # 9 products, every one of the 36 pairs bought together in exactly 10 baskets of two:
    # 360 baskets, each product in 80 of them. Lift of any pair = (10/360) / (80/360)**2
    # = 0.5625: bought together less often than chance.
    lines = ["order_id,customer,date,total,product"]
    order = 0
    for _ in range(10):
        for a, b in itertools.combinations("ABCDEFGHI", 2):
            order += 1
            day = f"2024-{1 + order % 12:02d}-{1 + order % 28:02d}"
            lines.append(f"{order},c{order % 40},{day},10,{a}")
            lines.append(f"{order},c{order % 40},{day},10,{b}")
    path = tmp_path / "pairs.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cross_sell_says_what_it_found_when_no_pair_beats_chance(tmp_path: Path) -> None:
    report = build_report(read_order_rows(_pairs_file(tmp_path)), file_name="pairs.csv")
    x = report.cross_sell
    assert isinstance(x, CrossSell)
    assert x.rules == ()
    assert (x.baskets, x.pairs_found, x.min_baskets) == (360, 36, 10)
    assert x.best_lift == pytest.approx(0.5625)
    text = cross_sell_finding(x)
    assert text.startswith("36 pairs of products were bought together at least 10 times")
    assert "none more often than chance (lift ≤ 0.56)" in text
    assert "lift ≤ 0.56" in render_html(report)


def test_cross_sell_reports_when_the_rule_bound_cut_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(descriptive, "MAX_RULE_CANDIDATES", 20)
    report = build_report(read_order_rows(_pairs_file(tmp_path)), file_name="pairs.csv")
    x = report.cross_sell
    assert isinstance(x, CrossSell)
    # 36 pairs make 72 candidate rules; 10 pairs (20 rules) fit under the bound.
    assert x.cut.startswith("72 possible rules is more than the 20 worked through")
    assert "10 most frequent product sets were used, 26 were left out" in x.cut
    assert "Cut to bound the work" in render_html(report)


def test_clv_names_zero_spend_repeat_customers_left_out_of_the_spend_model(
    tmp_path: Path,
) -> None:
    # 30 customers buy on 1 Jan 2024 and again every 20 days; c0..c2's repeat orders are
    # free samples (amount 0), so their mean repeat spend is 0.
    lines = ["customer,date,amount"]
    for i in range(30):
        for k in range(1 + i % 6):
            day = np.datetime64("2024-01-01") + np.timedelta64(20 * k + i, "D")
            amount = 0 if (k > 0 and i < 3) else 10 + i
            lines.append(f"c{i},{day},{amount}")
    path = tmp_path / "free.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = build_report(read_order_rows(path), file_name="free.csv")
    clv = report.clv
    assert isinstance(clv, ClvSection)
    # c1 and c2 have repeats (i % 6 > 0); c0 has none, so two are left out.
    assert clv.spend_note.startswith("2 repeat customers whose repeat orders came to nothing")
    assert clv.spend_note in render_html(report)


def test_voided_and_refunded_orders_left_out_raise_no_warning_but_bad_rows_do(
    tmp_path: Path,
) -> None:
    # 3 of 13 rows are voided or refunded orders: a decision, listed in "Data used".
    warnings = build_report(read_order_rows(TWO_CURRENCIES), file_name="shop.csv").warnings
    assert not any("skipped" in w for w in warnings)
    path = tmp_path / "bad.csv"
    rows = [f"c{i},2024-01-{i + 1:02d},{'oops' if i < 2 else '10'}" for i in range(10)]
    path.write_text("customer,date,amount\n" + "\n".join(rows) + "\n", encoding="utf-8")
    warnings = build_report(read_order_rows(path), file_name="bad.csv").warnings
    assert warnings[0].startswith("2 of 10 rows (20%) could not be read and were skipped")


def test_a_model_fit_that_did_not_converge_is_named_in_the_report(tmp_path: Path) -> None:
    # 30 clockwork customers: every one buys every Monday for 21 weeks and none stops. No
    # spread in rates and no drop-out: the BG/NBD optimum lies at infinite parameters, so
    # the fit ends on the search bounds.
    lines = ["customer,date,amount"]
    for i in range(30):
        for week in range(21):
            day = np.datetime64("2024-01-01") + np.timedelta64(7 * week, "D")
            lines.append(f"c{i},{day},{10 + (i * 7 + week * 3) % 11}")
    path = tmp_path / "clockwork.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = build_report(read_order_rows(path), file_name="clockwork.csv")
    clv = report.clv
    assert isinstance(clv, ClvSection)
    assert clv.caveat.startswith("The BG/NBD (how often customers buy) and")
    assert "fits did not converge" in clv.caveat
    assert clv.caveat in render_html(report)


def test_one_row_per_order_with_tax_columns_says_what_revenue_holds(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,customer,date,subtotal,tax,shipping,total\n"
        "1,a,2024-01-05,100.00,8.00,5.00,113.00\n"
        "2,b,2024-01-09,50.00,4.00,5.00,59.00\n",
        encoding="utf-8",
    )
    total = build_report(read_order_rows(path), file_name="o.csv")
    assert total.kpis.revenue == pytest.approx(172.0)
    assert "normally includes taxes and shipping" in total.source.revenue_basis
    assert "--revenue subtotal" in total.source.revenue_basis
    subtotal = build_report(read_order_rows(path, revenue="subtotal"), file_name="o.csv")
    assert subtotal.kpis.revenue == pytest.approx(150.0)
    assert "leaves out taxes and shipping" in subtotal.source.revenue_basis
    no_subtotal = tmp_path / "plain.csv"
    no_subtotal.write_text("customer,date,total\na,2024-01-05,10\n", encoding="utf-8")
    with pytest.raises(OrdersFileError, match="--revenue subtotal: no subtotal column"):
        read_order_rows(no_subtotal, revenue="subtotal")
