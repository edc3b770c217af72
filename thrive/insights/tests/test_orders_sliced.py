"""Aggregating an export's orders a slice of rows at a time gives exactly the orders of
aggregating every row at once, wherever the slice boundaries cut an order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from thrive.insights.orders_aggregate import Orders, aggregate_orders, latest_day
from thrive.insights.orders_csv import OrderRows, read_order_rows
from thrive.insights.orders_strings import StringTable

FIELDS = (
    "customer_keys",
    "customer_names",
    "dates",
    "amounts",
    "channels",
    "basket_ids",
    "basket_products",
    "refund_customer_keys",
    "refund_dates",
    "refund_amounts",
    "customer_codes",
    "order_ids",
)


def _same(a: Orders, b: Orders) -> None:
    for name in FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            x, y = np.asarray(x), np.asarray(y)
            assert x.dtype == y.dtype, name
            assert x.tolist() == y.tolist(), name
    assert a.fully_refunded == b.fully_refunded
    assert a.refund_lines == b.refund_lines


def _rows(tmp_path: Path, text: str) -> OrderRows:
    path = tmp_path / "orders.csv"
    path.write_text(text)
    return read_order_rows(path)


# Rows 1-12: #1 spans rows 1, 5 and 11 (its channel only on row 5, a returned Tea on row
# 11); #2 is refunded in full on its second row; #3 is a stand-alone refund; #4's lines
# are rows 3 and 12, and an earlier date on row 12; #5 has no product on one line.
HAND = (
    "order,customer,date,amount,product,channel\n"
    "#1,ann,2024-01-05,30.00,Mug,\n"
    "#2,bob,2024-01-06,20.00,Kettle,web\n"
    "#4,cy,2024-01-09,15.00,Tea,pos\n"
    "#2,bob,2024-01-06,-20.00,Kettle,\n"
    "#1,ann,2024-01-05,12.00,Tea,shop\n"
    "#3,dee,2024-01-08,-7.50,Mug,web\n"
    "#5,eve,2024-01-02,9.00,,pos\n"
    "#5,eve,2024-01-02,4.00,Mug,\n"
    "#6,ann,2024-02-01,0.00,Tea,\n"
    "#7,bob,2024-02-03,3.25,Spoon,web\n"
    "#1,ann,2024-01-05,-12.00,Tea,\n"
    "#4,cy,2024-01-07,5.00,Mug,\n"
)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 11, 1000])
def test_slices_of_any_size_give_the_orders_of_the_whole_file(tmp_path: Path, size: int) -> None:
    rows = _rows(tmp_path, HAND)
    whole = aggregate_orders(rows, slice_rows=None)
    sliced = aggregate_orders(rows, slice_rows=size)
    _same(sliced, whole)
    # The figures themselves, by hand: purchases by date (#5 on 01-02, #1 on 01-05, #4 on
    # its earlier 01-07 date, #6, #7); #2 nets to zero, #3 is a refund of its own.
    assert sliced.order_ids.tolist() == ["#5", "#1", "#4", "#6", "#7"]
    assert sliced.amounts.tolist() == [13.0, 30.0, 20.0, 0.0, 3.25]
    assert [str(d) for d in sliced.dates] == [
        "2024-01-02",
        "2024-01-05",
        "2024-01-07",
        "2024-02-01",
        "2024-02-03",
    ]
    assert sliced.channels is not None
    assert sliced.channels.tolist() == ["pos", "shop", "pos", "", "web"]
    # #1's Tea was bought and returned: its basket is the Mug alone.
    assert sliced.baskets == (("Mug",), ("Mug",), ("Mug", "Tea"), ("Tea",), ("Spoon",))
    assert sliced.refund_amounts.tolist() == [-7.5]
    # The sorted ids stay UTF-8 codes; only what is asked for is decoded.
    assert isinstance(sliced.customer_names, StringTable)
    assert sliced.customer_names.tolist() == ["ann", "bob", "cy", "dee", "eve"]
    assert sliced.customer_names[3] == "dee"
    assert sliced.customer_ids.tolist() == ["eve", "ann", "cy", "ann", "bob"]
    assert sliced.fully_refunded == 1
    assert sliced.refund_lines == 3


def test_a_selection_of_rows_is_aggregated_in_slices_like_the_whole_selection(
    tmp_path: Path,
) -> None:
    rows = _rows(tmp_path, HAND)
    # Every other row: orders lose lines, and #4's first selected line is its later one.
    keep = np.arange(rows.amounts.size) % 2 == 1
    for size in (1, 2, 3, 1000):
        _same(
            aggregate_orders(rows, keep, slice_rows=size),
            aggregate_orders(rows, keep, slice_rows=None),
        )
        assert latest_day(rows, keep, size) == int(rows.days[keep].max())


def test_scattered_orders_with_refunds_and_gaps_give_identical_orders_in_slices(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(11)
    lines = ["order,customer,date,amount,product,channel"]
    for i in range(4000):
        order = int(rng.integers(0, 900))  # an order's lines scattered over the file
        day = 1 + (order * 7 + i % 3) % 28
        amount = f"-{rng.integers(1, 60)}.10" if i % 23 == 0 else f"{rng.integers(0, 90)}.35"
        product = "" if i % 17 == 0 else f"p{rng.integers(0, 12)}"
        channel = "" if i % 3 else f"c{rng.integers(0, 4)}"
        lines.append(f"o{order},c{order % 210},2024-05-{day:02d},{amount},{product},{channel}")
    # An order refunded in full by a line 3,000 rows later.
    lines.insert(500, "full,c1,2024-05-03,10.00,p1,web")
    lines.append("full,c1,2024-05-03,-10.00,p1,")
    rows = _rows(tmp_path, "\n".join(lines) + "\n")
    whole = aggregate_orders(rows, slice_rows=None)
    assert whole.refund_amounts.size and whole.fully_refunded  # the test covers both
    for size in (1, 13, 256, 3999, 1 << 20):
        _same(aggregate_orders(rows, slice_rows=size), whole)
    keep = (rows.customer_codes % 3) != 0
    for size in (7, 1 << 20):
        _same(
            aggregate_orders(rows, keep, slice_rows=size),
            aggregate_orders(rows, keep, slice_rows=None),
        )


def test_cohorts_from_int32_counts_equal_the_cohort_matrix_of_the_raw_orders(
    tmp_path: Path,
) -> None:
    from thrive.insights.cohorts import cohort_matrix
    from thrive.insights.report.descriptive import compute_cohorts

    rng = np.random.default_rng(5)
    lines = ["order,customer,date,amount"]
    for i in range(3000):
        # customers coming back over 14 months, some several times in a month
        month = int(rng.integers(1, 13)) if i % 4 else 1 + i % 12
        lines.append(f"o{i},c{rng.integers(0, 400)},2024-{month:02d}-{1 + i % 28:02d},5.00")
    lines.append("last,c1,2025-02-10,5.00")  # February 2025 is partial and left out
    rows = _rows(tmp_path, "\n".join(lines) + "\n")
    orders = aggregate_orders(rows)
    section = compute_cohorts(orders, orders.dates.max())
    through = np.datetime64("2025-01-31")
    keep = orders.dates <= through
    cm = cohort_matrix(
        orders.customer_ids[keep], orders.dates[keep], orders.amounts[keep], as_of=through
    )
    assert section.partial_month_left_out
    assert section.sizes == tuple(int(v) for v in cm.cohort_sizes[-len(section.sizes) :])
    assert section.cohorts == tuple(str(c.astype("datetime64[M]")) for c in cm.cohorts)
    assert section.cohorts[0] == "2024-01" and len(section.cohorts) > 6
    expected = cm.retention[-len(section.sizes) :, : len(section.periods)]
    np.testing.assert_array_equal(section.retention, expected)


def test_cross_sell_mined_on_product_codes_equals_mining_the_product_names(
    tmp_path: Path,
) -> None:
    from thrive.insights.basket import frequent_itemsets
    from thrive.insights.report import descriptive

    rng = np.random.default_rng(8)
    lines = ["order,customer,date,amount,product"]
    names = ["tea", "Mug", "kettle", "Spoon", "zest", "apple", "Bowl"]
    for i in range(2500):
        order = i // 3
        amount = "-4.00" if i % 41 == 0 else "4.00"  # some products bought and returned
        product = names[int(rng.zipf(1.6)) % len(names)]
        lines.append(f"o{order},c{order % 300},2024-06-{1 + order % 28:02d},{amount},{product}")
    orders = aggregate_orders(_rows(tmp_path, "\n".join(lines) + "\n"))
    assert orders.basket_codes is not None and orders.product_names is not None
    assert orders.product_names.tolist() == sorted(orders.product_names.tolist())
    by_names = frequent_itemsets(
        orders.basket_ids, orders.basket_products, min_support=0.01, n_orders=orders.n_baskets
    )
    matrix = descriptive._basket_matrix(
        orders.basket_ids, orders.basket_codes, orders.n_baskets, orders.product_names.size
    )
    by_codes = frequent_itemsets(matrix, min_support=0.01, n_orders=orders.n_baskets)
    named = {
        frozenset(orders.product_names[list(k)].tolist()): v for k, v in by_codes.to_dict().items()
    }
    assert named == by_names.to_dict()
    assert any(len(k) == 2 for k in named)
    section = descriptive.compute_cross_sell(orders)
    assert section is not None and section.baskets == orders.n_baskets


def test_model_check_tracking_on_integer_cells_equals_the_general_tracking() -> None:
    from thrive.insights.bgnbd import fit_bgnbd
    from thrive.insights.holdout import cumulative_tracking
    from thrive.insights.report import predictive
    from thrive.insights.summary import calibration_holdout_split

    rng = np.random.default_rng(21)
    first = np.datetime64("2024-01-01")
    # 600 customers, several purchases each, some on the same day (one transaction).
    keys = rng.integers(0, 600, 5000).astype(np.int32)
    days = rng.integers(0, 300, 5000)
    days[::7] = days[1::7][: days[::7].size]  # repeat days
    keys[::7] = keys[1::7][: keys[::7].size]
    order = np.argsort(days, kind="stable")
    keys, dates = keys[order], (first + days[order]).astype("datetime64[D]")
    last = dates.max()
    summary, _ = calibration_holdout_split(
        keys,
        dates,
        np.ones(keys.size),
        calibration_end=last - np.timedelta64(60, "D"),
        observation_end=last,
    )
    fit = fit_bgnbd(np.asarray(summary.frequency, float), summary.recency, summary.T)
    ours = predictive._tracking(fit, keys, dates, first, last)
    theirs = cumulative_tracking(fit, keys, dates, start=first, end=last, unit_days=7.0)
    assert ours.weeks.tolist() == theirs.weeks.tolist()
    assert ours.actual.tolist() == theirs.actual.tolist()
    assert ours.expected.tolist() == theirs.expected.tolist()
    assert ours.actual[-1] > 1000  # repeat transactions are counted


def test_orders_aggregate_the_same_once_order_ids_and_row_numbers_are_released(
    tmp_path: Path,
) -> None:
    kept = aggregate_orders(_rows(tmp_path, HAND))
    rows = _rows(tmp_path, HAND)
    rows.release_order_ids()
    assert rows.row_numbers.size == 0
    with pytest.raises(ValueError, match="released"):
        _ = rows.order_ids
    released = aggregate_orders(rows)
    for name in FIELDS[:-1]:  # all but the order ids, which are gone
        x, y = getattr(released, name), getattr(kept, name)
        assert np.asarray(x).tolist() == np.asarray(y).tolist(), name
    assert released.refund_lines == kept.refund_lines == 3
