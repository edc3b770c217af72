"""A seeded, Shopify-style order export for the `thrive report` benchmark.

One row per line item, the columns of a Shopify "Export orders" file: order-level fields
(email, status, currency, totals, refunded amount, cancelled at) on an order's first line
only, later lines carry the order name, date and line-item fields. Written once per size to
/tmp and reused (the generator is seeded, so the same size gives the same bytes).

The ground truth (what the report must print) is computed here from the generator's own
arrays, independently of Thrive's reader: per currency, the customers, orders and revenue of
completed sales, and the main currency's revenue per month.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Subtotal,Shipping,"
    "Taxes,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,"
    "Lineitem price,Lineitem sku,Billing Name,Notes,Cancelled at,Refunded Amount,Source,Vendor"
)
START = np.datetime64("2023-01-01")
END = np.datetime64("2025-06-14")  # the last month is partial
CURRENCIES = np.array(["USD", "EUR", "GBP"])
CURRENCY_SHARE = [0.85, 0.10, 0.05]
STATUSES = np.array(["paid", "partially_refunded", "refunded", "voided", "pending"])
STATUS_SHARE = [0.90, 0.05, 0.01, 0.02, 0.02]
SOURCES = np.array(["web", "pos", "instagram", "wholesale"])
N_PRODUCTS = 500
ROWS_PER_CUSTOMER = 10_000_000 / 1_500_000  # 1.5M customers at 10M rows
MEAN_LINES = 2.5


def data_path(rows: int, directory: str | None = None) -> Path:
    default = Path(tempfile.gettempdir()) / "thrive-report-bench"
    base = Path(directory or os.environ.get("THRIVE_REPORT_BENCH_DATA") or default)
    return base / f"orders-{rows}.csv"


def ensure(rows: int, directory: str | None = None) -> tuple[Path, dict]:
    """The export of ``rows`` rows (written if missing) and its ground truth."""
    path = data_path(rows, directory)
    truth_path = path.with_suffix(".truth.json")
    if path.exists() and truth_path.exists():
        return path, json.loads(truth_path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    truth = _write(path, rows)
    truth_path.write_text(json.dumps(truth, indent=1))
    return path, truth


def _write(path: Path, target_rows: int) -> dict:
    rng = np.random.default_rng(20261207 + target_rows)
    n_orders = int(target_rows / MEAN_LINES)
    n_customers = max(100, int(target_rows / ROWS_PER_CUSTOMER))
    days = int((END - START).astype(int)) + 1
    # Customers: acquired over the period (more later: a growing shop), a heavy-tailed
    # purchase rate, a home currency and an acquisition source.
    acquired = np.sort((days * rng.beta(1.3, 1.0, n_customers)).astype(np.int64))
    rate = rng.gamma(0.7, 1.0, n_customers) * np.maximum(days - acquired, 1) / days
    cust_currency = rng.choice(3, n_customers, p=CURRENCY_SHARE)
    cust_source = rng.choice(4, n_customers, p=[0.6, 0.2, 0.15, 0.05])
    # Every customer has a first order on the day they were acquired; the rest are drawn by
    # rate, on a day between acquisition and the end.
    extra = n_orders - n_customers
    who = np.concatenate(
        [np.arange(n_customers), rng.choice(n_customers, extra, p=rate / rate.sum())]
    )
    when = acquired[who].copy()
    repeat = slice(n_customers, None)
    when[repeat] += (rng.random(extra) * (days - acquired[who[repeat]])).astype(np.int64)
    order = np.argsort(when, kind="stable")
    who, when = who[order], when[order]
    status = rng.choice(5, n_orders, p=STATUS_SHARE)
    cancelled = rng.random(n_orders) < 0.01
    lines = 1 + rng.poisson(MEAN_LINES - 1, n_orders)
    # Fix the row count exactly: trim or pad the lines of the last orders.
    diff = int(lines.sum()) - target_rows
    i = n_orders - 1
    while diff != 0:
        if diff > 0:
            take = min(diff, lines[i] - 1)
            lines[i] -= take
            diff -= take
        else:
            lines[i] += -diff
            diff = 0
        i -= 1
    cur = cust_currency[who]
    n_rows = int(lines.sum())
    line_order = np.repeat(np.arange(n_orders), lines)
    first_line = np.zeros(n_rows, dtype=bool)
    first_line[np.concatenate([[0], np.cumsum(lines)[:-1]])] = True
    zipf = 1.0 / np.arange(1, N_PRODUCTS + 1) ** 1.1
    product = rng.choice(N_PRODUCTS, n_rows, p=zipf / zipf.sum())
    unit = np.round(5 + (product % 97) * 1.25, 2)
    qty = 1 + rng.poisson(0.3, n_rows)
    line_value = unit * qty
    subtotal = np.round(np.bincount(line_order, weights=line_value, minlength=n_orders), 2)
    discount = np.where(rng.random(n_orders) < 0.15, np.round(subtotal * 0.1, 2), 0.0)
    subtotal = np.round(subtotal - discount, 2)
    shipping = np.where(subtotal > 50, 0.0, 4.95)
    taxes = np.round(subtotal * 0.08, 2)
    total = np.round(subtotal + shipping + taxes, 2)
    refunded = np.zeros(n_orders)
    partial = status == 1
    refunded[partial] = np.round(total[partial] * rng.uniform(0.1, 0.6, partial.sum()), 2)
    full_refund = status == 2
    refunded[full_refund] = total[full_refund]
    # Ground truth: completed sales are neither voided, refunded (status), nor cancelled.
    sale = (status != 3) & (status != 2) & ~cancelled
    net = np.round(total - refunded, 2)
    truth: dict = {"rows": n_rows, "orders_in_file": n_orders, "currencies": {}}
    counts = np.bincount(cur[sale], minlength=3)
    main = int(np.argmax(counts))
    for c in range(3):
        keep = sale & (cur == c) & (net > 0)
        truth["currencies"][str(CURRENCIES[c])] = {
            "orders": int(keep.sum()),
            "customers": int(np.unique(who[keep]).size),
            "revenue": round(float(net[keep].sum()), 2),
        }
    keep = sale & (cur == main) & (net > 0)
    month = (START + when[keep]).astype("datetime64[M]")
    months, inv = np.unique(month, return_inverse=True)
    truth["main"] = str(CURRENCIES[main])
    truth["monthly_revenue"] = {
        str(m): round(float(v), 2)
        for m, v in zip(months, np.bincount(inv, weights=net[keep]), strict=True)
    }
    truth["first_date"] = str(START + when[keep].min())
    truth["last_date"] = str(START + when.max())

    stamp = [str(d) for d in (START + np.arange(days))]
    hours = rng.integers(0, 24 * 60, n_orders)
    _write_rows(
        path,
        rng,
        dict(
            who=who,
            when=when,
            status=status,
            cancelled=cancelled,
            cur=cur,
            subtotal=subtotal,
            shipping=shipping,
            taxes=taxes,
            total=total,
            discount=discount,
            refunded=refunded,
            source=cust_source[who],
            hours=hours,
        ),
        dict(line_order=line_order, first_line=first_line, product=product, unit=unit, qty=qty),
        stamp,
    )
    return truth


def _write_rows(path: Path, rng: np.random.Generator, o: dict, li: dict, stamp: list) -> None:
    products = [f"Product {p:03d}" for p in range(N_PRODUCTS)]
    skus = [f"SKU-{p:03d}" for p in range(N_PRODUCTS)]
    vendors = [f"Vendor {p % 23}" for p in range(N_PRODUCTS)]
    statuses = STATUSES.tolist()
    currencies = CURRENCIES.tolist()
    sources = SOURCES.tolist()
    tmp = path.with_suffix(".partial")
    chunk = 200_000
    with tmp.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "\n")
        n_rows = li["line_order"].size
        for start in range(0, n_rows, chunk):
            stop = min(n_rows, start + chunk)
            out = []
            for r in range(start, stop):
                k = int(li["line_order"][r])
                h = int(o["hours"][k])
                created = f"{stamp[int(o['when'][k])]} {h // 60:02d}:{h % 60:02d}:00 +0100"
                p = int(li["product"][r])
                line = f"{li['qty'][r]},{products[p]},{li['unit'][r]:.2f},{skus[p]}"
                if li["first_line"][r]:
                    c = int(o["who"][k])
                    st = statuses[int(o["status"][k])]
                    disc = o["discount"][k]
                    out.append(
                        f"#{1001 + k},customer{c}@example.com,{st},"
                        f"{created if st != 'pending' else ''},"
                        f"{'fulfilled' if st == 'paid' else 'unfulfilled'},"
                        f"{currencies[int(o['cur'][k])]},{o['subtotal'][k]:.2f},"
                        f"{o['shipping'][k]:.2f},{o['taxes'][k]:.2f},{o['total'][k]:.2f},"
                        f"{'SAVE10' if disc else ''},{disc:.2f},{created},{line},"
                        f"Customer {c},{'call before delivery' if c % 50 == 0 else ''},"
                        f"{created if o['cancelled'][k] else ''},{o['refunded'][k]:.2f},"
                        f"{sources[int(o['source'][k])]},{vendors[p]}\n"
                    )
                else:
                    out.append(f"#{1001 + k},,,,,,,,,,,,{created},{line},,,,,,{vendors[p]}\n")
            f.write("".join(out))
    tmp.replace(path)


if __name__ == "__main__":
    import sys
    import time

    t = time.perf_counter()
    p, truth = ensure(int(sys.argv[1]))
    print(p, truth["currencies"], f"{time.perf_counter() - t:.0f} s")
