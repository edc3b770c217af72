"""The report's low-memory paths give the same figures as the plain ones: customers as
int32 keys sorted like their ids, basket pairs de-duplicated in place, the rows' columns
dropped after aggregation, Pareto/NBD predictions in slices, integer ids in tracking."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from thrive.insights.holdout import cumulative_tracking
from thrive.insights.orders_aggregate import aggregate_orders
from thrive.insights.orders_csv import read_order_rows
from thrive.insights.paretonbd import fit_pareto_nbd
from thrive.insights.report import predictive
from thrive.insights.report.build import build_report
from thrive.insights.report.render import render_html
from thrive.insights.summary import summarize_transactions

SHOP_DIR = Path(__file__).parent / "data" / "shop"
FIXED_NOW = datetime(2024, 4, 1, 9, 30, tzinfo=UTC)

# Customer ids whose file order, code order and sorted order all differ ("Zoë" sorts
# after "zed", capitals before lower case); order 6 is refunded on its own (net < 0).
KEYED = """order_id,customer,date,total,product
1,zed,2024-01-03,10,Mug
2,Zoë,2024-01-01,20,Tea
3,Bob,2024-01-02,5,Mug
4,zed,2024-01-04,7,Tea
5,amy,2024-01-05,3,Mug
6,Bob,2024-01-06,-4,
"""


def test_customer_keys_sort_group_and_map_back_like_the_ids(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(KEYED)
    orders = aggregate_orders(read_order_rows(path))
    assert orders.customer_keys.dtype == np.int32
    assert orders.customer_names.tolist() == ["Bob", "Zoë", "amy", "zed"]  # sorted as str
    # Purchases by date: Zoë (1 Jan), Bob, zed, zed, amy; keys are positions in the table.
    assert orders.customer_keys.tolist() == [1, 0, 3, 3, 2]
    assert orders.customer_ids.tolist() == ["Zoë", "Bob", "zed", "zed", "amy"]
    assert orders.refund_customer_ids.tolist() == ["Bob"]
    assert orders.refund_customer_keys.tolist() == [0]


def _baskets_by_unique(orders_rows: list[tuple[int, str, float]]) -> set[tuple[int, str]]:
    """The rule by hand: a (purchase, product) stays unless it has a refund line and its
    lines net to zero or less."""
    net: dict[tuple[int, str], float] = {}
    refunded: set[tuple[int, str]] = set()
    for order, product, amount in orders_rows:
        net[(order, product)] = net.get((order, product), 0.0) + amount
        if amount < 0:
            refunded.add((order, product))
    return {k for k, v in net.items() if k not in refunded or v > 0}


def test_baskets_leave_out_returned_products_only(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    lines = ["order_id,customer,date,total,product"]
    kept: list[tuple[int, str, float]] = []
    for order in range(1, 301):
        customer = f"c{rng.integers(0, 60)}"
        day = f"2024-02-{1 + order % 28:02d}"
        products = rng.choice(["Mug", "Tea", "Pot", "Cup", "Jam"], size=3)
        for product in products:
            amount = float(rng.integers(1, 30))
            lines.append(f"{order},{customer},{day},{amount},{product}")
            kept.append((order, str(product), amount))
        if order % 4 == 0:  # a refund line: a whole return, or a part of one
            amount = -float(rng.integers(1, 40))
            lines.append(f"{order},{customer},{day},{amount},{products[0]}")
            kept.append((order, str(products[0]), amount))
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n")
    orders = aggregate_orders(read_order_rows(path))
    baskets = orders.baskets
    assert baskets is not None
    labels = orders.order_ids.tolist()
    assert np.unique(orders.basket_ids).tolist() == list(range(len(baskets)))  # dense
    expected = _baskets_by_unique(kept)
    purchases = [int(x) for x in labels]
    # Baskets follow purchase (date) order, skipping purchases left without a product.
    by_purchase: dict[int, set[str]] = {}
    for order, product in expected:
        if order in purchases:
            by_purchase.setdefault(order, set()).add(product)
    expected_baskets = [tuple(sorted(by_purchase[o])) for o in purchases if by_purchase.get(o)]
    assert list(baskets) == expected_baskets
    assert any(len(b) < 3 for b in baskets)  # some product was returned


def test_releasing_the_rows_keeps_the_report_byte_identical() -> None:
    path = SHOP_DIR / "shopify_two_currencies.csv"
    plain = render_html(build_report(read_order_rows(path), file_name="s.csv", now=FIXED_NOW))
    rows = read_order_rows(path)
    accepted = rows.rows_accepted
    released = build_report(rows, file_name="s.csv", now=FIXED_NOW, release_rows=True)
    assert render_html(released) == plain
    assert rows.amounts.size == 0 and rows.customer_codes.size == 0
    assert rows.rows_accepted == accepted > 0


def test_pareto_predictions_in_slices_equal_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    n = 5_000
    x = rng.poisson(1.5, n).astype(float)
    big_t = rng.uniform(10, 60, n)
    t_x = np.where(x > 0, big_t * rng.uniform(0.1, 1.0, n), 0.0)
    fit = fit_pareto_nbd(x, t_x, big_t)
    monkeypatch.setattr(predictive._InChunks, "CHUNK", 777)
    sliced = predictive._InChunks(fit).expected_purchases(8.0, x, t_x, big_t)
    np.testing.assert_array_equal(sliced, fit.expected_purchases(8.0, x, t_x, big_t))


def test_tracking_with_integer_keys_equals_tracking_with_the_ids() -> None:
    rng = np.random.default_rng(5)
    names = np.array([f"id{v}" for v in rng.permutation(400)], dtype=object)
    who = rng.integers(0, 400, 3_000)
    days = np.datetime64("2024-01-01") + rng.integers(0, 200, 3_000).astype("timedelta64[D]")
    order = np.argsort(names, kind="stable")
    key_of = np.empty(400, np.int32)
    key_of[order] = np.arange(400, dtype=np.int32)
    summary = summarize_transactions(
        names[who], days, np.ones(who.size), observation_end=days.max()
    )
    fit = fit_pareto_nbd(summary.frequency, summary.recency, summary.T)
    by_id = cumulative_tracking(fit, names[who], days, start=days.min(), end=days.max())
    by_key = cumulative_tracking(fit, key_of[who], days, start=days.min(), end=days.max())
    np.testing.assert_array_equal(by_key.actual, by_id.actual)
    np.testing.assert_array_equal(by_key.expected, by_id.expected)
