"""Reading a big export in chunks: ids numbered across chunks, dates read while streaming,
the report's timing line; chunked reads give the same rows as one big chunk."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from thrive.insights import orders_csv
from thrive.insights.orders_aggregate import aggregate_orders
from thrive.insights.orders_csv import read_order_rows
from thrive.insights.orders_strings import StringCodes
from thrive.insights.report import cli

SHOP = (
    "Name,Email,Financial Status,Currency,Total,Created at,Lineitem name,Refunded Amount\n"
    "#1,Ann@X.com,paid,USD,30.00,2024-01-05 10:00,Mug,0\n"
    "#2,bob@x.com,voided,USD,99.00,2024-01-06 10:00,Kettle,0\n"
    "#3,cy@x.com,paid,EUR,12.00,2024-01-07 10:00,Tea,2.00\n"
    "#2,,,,,2024-01-06 10:00,Tea,\n"
    # a later line of #1, far from its first line, with neither customer nor date
    "#1,,,,,,Tea,\n"
    "#4,dee@x.com,paid,USD,40.00,31/02/2024,Mug,0\n"
    "#4,,,,,,Tea,\n"
    "#5,ann@x.com,paid,USD,8.00,2024-02-01 09:00,Mug,0\n"
    "#3,eve@x.com,,,,2024-01-07 10:00,Mug,\n"
)


def _read(tmp_path: Path, text: str, chunk: int, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "orders.csv"
    path.write_text(text)
    monkeypatch.setattr(orders_csv, "_CHUNK_ROWS", chunk)
    return read_order_rows(path)


def test_lines_of_one_order_far_apart_are_one_order_whatever_the_chunk_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _read(tmp_path, SHOP, 2, monkeypatch)
    # #1's second line (row 6) takes Ann's id and date from row 2 in another chunk.
    assert rows.customer_ids.tolist() == ["ann@x.com", "cy@x.com", "cy@x.com", "ann@x.com"] + [
        "ann@x.com"
    ]
    assert rows.order_ids is not None
    assert rows.order_ids.tolist() == ["#1", "#3", "#3", "#1", "#5"]
    assert rows.row_numbers.tolist() == [2, 4, 4, 6, 9]
    assert rows.amounts.tolist() == [30.0, 12.0, -2.0, 0.0, 8.0]
    assert str(rows.dates[3]) == "2024-01-05"
    # #4's first line has an impossible date: both its lines are skipped for it, after
    # the reasons met while streaming; #3's last line names another customer.
    assert rows.skipped_by_reason == {
        "Financial Status: status voided": 1,
        "Name: line of a voided order": 1,
        "Email: order of another customer": 1,
        "Created at: unreadable date": 2,
    }
    assert [s.row for s in rows.skipped] == [3, 5, 7, 8, 10]
    orders = aggregate_orders(rows)
    assert orders.order_ids.tolist() == ["#1", "#3", "#5"]
    assert orders.amounts.tolist() == [30.0, 10.0, 8.0]
    assert orders.baskets == (("Mug", "Tea"), ("Tea",), ("Mug",))
    assert rows.customer_names == {}


def test_chunked_and_whole_reads_give_identical_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(3)
    lines = ["order,customer,date,amount,product"]
    for i in range(3000):
        order = int(rng.integers(0, 700))  # lines of an order scattered over the file
        day = 1 + order % 28
        amount = "-5.00" if i % 97 == 0 else f"{rng.integers(1, 90)}.50"
        lines.append(f"o{order},c{order % 150},2024-03-{day:02d},{amount},p{rng.integers(0, 9)}")
    text = "\n".join(lines) + "\n"
    small = _read(tmp_path, text, 7, monkeypatch)
    whole = _read(tmp_path, text, 100_000, monkeypatch)
    for name in ("customer_ids", "order_ids", "products", "amounts", "row_numbers", "dates"):
        assert getattr(small, name).tolist() == getattr(whole, name).tolist(), name
    assert small.skipped == whole.skipped
    a, b = aggregate_orders(small), aggregate_orders(whole)
    assert a.order_ids.tolist() == b.order_ids.tolist()
    assert a.amounts.tolist() == b.amounts.tolist()
    assert a.baskets == b.baskets


def test_date_format_is_chosen_from_the_first_distinct_dates_and_applied_to_earlier_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(orders_csv, "_DATE_SAMPLE", 3)
    # The first three distinct dates only fit day-first; rows before and after the choice
    # are read with it, and a month-first date later on is skipped with the reason.
    text = (
        "customer,date,amount\n"
        "a,13/01/2024,1\nb,13/01/2024,2\nc,14/01/2024,3\nd,25/12/2023,4\n"
        "e,05/02/2024,5\nf,12/31/2024,6\n"
    )
    rows = _read(tmp_path, text, 2, monkeypatch)
    assert rows.date_format == "DD/MM/YYYY"
    assert [str(d) for d in rows.dates] == [
        "2024-01-13",
        "2024-01-13",
        "2024-01-14",
        "2023-12-25",
        "2024-02-05",
    ]
    assert [(s.row, s.column) for s in rows.skipped] == [(7, "date")]


def test_string_codes_number_strings_once_across_chunks() -> None:
    codes = StringCodes()
    words = [f"order-{i}" for i in range(5000)]
    got = []
    for start in range(0, 5000, 300):
        chunk = words[start : start + 300] + words[:start:7]  # old ones come back
        codes.prefetch(chunk)
        got += [codes.code(w) for w in chunk]
        codes.end_chunk()
    assert len(codes) == 5000
    assert [codes.text(c) for c in got] == [
        w for start in range(0, 5000, 300) for w in words[start : start + 300] + words[:start:7]
    ]
    assert codes.find("order-4321") == 4321 and codes.find("order-5000") == -1
    assert codes.take(np.array([2, 0, 2])).tolist() == ["order-2", "order-0", "order-2"]


def test_the_summary_says_how_long_reading_took(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("customer,date,amount\na,2024-01-05,10\nb,2024-01-06,20\n")
    out = io.StringIO()
    code = cli._run(
        cli._parser().parse_args([str(path), "-o", str(tmp_path / "r.html")]), out, io.StringIO()
    )
    assert code == 0
    assert "Read 2 rows in " in out.getvalue()
    assert [cli.duration(s) for s in (0.44, 42.4, 72, 3790)] == [
        "0.4 s",
        "42 s",
        "1 min 12 s",
        "1 h 3 min",
    ]
