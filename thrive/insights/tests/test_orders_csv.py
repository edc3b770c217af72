"""Reading order exports: columns, encodings, delimiters, and every kind of bad row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from thrive.insights.orders_aggregate import aggregate_orders
from thrive.insights.orders_csv import OrdersFileError, read_order_rows
from thrive.insights.orders_values import detect_date_format, parse_amount

from .cdnow_paths import CDNOW_DIR as CDNOW


def write(tmp_path: Path, text: str, name: str = "orders.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


GOOD = "customer_id,order_date,total\na,2024-01-05,10.00\nb,2024-01-06,20.00\na,2024-02-01,5.50\n"


def test_header_names_are_recognised_and_rows_read(tmp_path: Path) -> None:
    rows = read_order_rows(write(tmp_path, GOOD))
    assert rows.columns == {"customer": "customer_id", "date": "order_date", "amount": "total"}
    assert rows.customer_ids.tolist() == ["a", "b", "a"]
    assert rows.dates.tolist() == [
        np.datetime64("2024-01-05").item(),
        np.datetime64("2024-01-06").item(),
        np.datetime64("2024-02-01").item(),
    ]
    assert rows.amounts.tolist() == [10.0, 20.0, 5.5]
    assert rows.row_numbers.tolist() == [2, 3, 4]
    assert rows.rows_read == 3 and rows.rows_skipped == 0 and rows.skipped == ()
    assert rows.has_header and rows.delimiter == "," and rows.date_format == "YYYY-MM-DD"


def test_result_arrays_are_read_only(tmp_path: Path) -> None:
    rows = read_order_rows(write(tmp_path, GOOD))
    with pytest.raises(ValueError):
        rows.amounts[0] = 1.0


def test_missing_column_names_the_role_and_lists_the_headers(tmp_path: Path) -> None:
    path = write(tmp_path, "customer_id,when,total\na,2024-01-05,10\n")
    with pytest.raises(OrdersFileError) as info:
        read_order_rows(path)
    message = str(info.value)
    assert "no date column" in message
    assert '"customer_id", "when", "total"' in message
    assert "--date" in message


def test_a_named_column_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    with pytest.raises(OrdersFileError, match='--amount "price" matches no column'):
        read_order_rows(write(tmp_path, GOOD), amount="price")


def test_flags_override_detection_by_header_name(tmp_path: Path) -> None:
    path = write(tmp_path, "Kunde,Datum,Betrag\nx,2024-03-01,4\n")
    rows = read_order_rows(path, customer="Kunde", date="Datum", amount="Betrag")
    assert rows.columns == {"customer": "Kunde", "date": "Datum", "amount": "Betrag"}
    assert rows.amounts.tolist() == [4.0]


def test_bad_date_on_row_7_names_row_and_column(tmp_path: Path) -> None:
    lines = ["customer_id,order_date,total"] + [f"c{i},2024-01-0{i},1" for i in range(1, 6)]
    lines.insert(6, "c9,2024-02-31,1")  # the 7th line of the file: row 7
    rows = read_order_rows(write(tmp_path, "\n".join(lines) + "\n"))
    assert rows.rows_read == 6 and rows.rows_accepted == 5 and rows.rows_skipped == 1
    (skip,) = rows.skipped
    assert (skip.row, skip.column) == (7, "order_date")
    assert str(skip).startswith('row 7, column "order_date": ')
    assert "2024-02-31" in skip.reason
    assert rows.skipped_by_reason == {"order_date: unreadable date": 1}


def test_non_numeric_amount_is_skipped_with_its_text(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "c,2024-02-02,twelve\n")
    rows = read_order_rows(path)
    (skip,) = rows.skipped
    assert (skip.row, skip.column) == (5, "total")
    assert "'twelve' is not a number" in skip.reason
    assert rows.rows_accepted == 3


def test_negative_amount_without_order_column_is_skipped_as_unmatched_refund(
    tmp_path: Path,
) -> None:
    rows = read_order_rows(write(tmp_path, GOOD + "a,2024-02-03,-5.50\n"))
    (skip,) = rows.skipped
    assert (skip.row, skip.column) == (5, "total")
    assert "negative amount -5.5" in skip.reason and "--order" in skip.reason
    assert rows.amounts.min() > 0


def test_refund_lines_are_netted_into_their_order(tmp_path: Path) -> None:
    text = (
        "order_id,email,created_at,total\n"
        "1,A@Shop.com,2024-01-05,30\n"
        "1,a@shop.com,2024-01-09,-10\n"  # partial refund of order 1
        "2,b@shop.com,2024-01-06,8\n"
        "2,b@shop.com,2024-01-07,-8\n"  # order 2 fully refunded
        "3,b@shop.com,2024-02-01,12\n"
        "R9,a@shop.com,2024-02-05,-4\n"  # a refund booked as its own order
    )
    rows = read_order_rows(write(tmp_path, text))
    assert rows.rows_skipped == 0
    orders = aggregate_orders(rows)
    assert orders.order_ids.tolist() == ["1", "3"]
    assert orders.amounts.tolist() == [20.0, 12.0]
    assert orders.dates[0] == np.datetime64("2024-01-05")
    assert orders.customer_ids.tolist() == ["a@shop.com", "b@shop.com"]  # e-mails lower-cased
    assert orders.fully_refunded == 1
    assert orders.refund_amounts.tolist() == [-4.0]
    assert orders.net_revenue == pytest.approx(28.0)


def test_line_items_inherit_order_level_fields_from_the_first_line(tmp_path: Path) -> None:
    text = (
        "Name,Email,Created at,Total,Lineitem name\n"
        "#1001,ann@x.com,2024-03-01 10:00:00 +0100,25.00,Beans\n"
        "#1001,,,,Mug\n"
        "#1002,bob@x.com,2024-03-02 11:00:00 +0100,9.00,Beans\n"
    )
    rows = read_order_rows(write(tmp_path, text), order="Name")
    assert rows.rows_skipped == 0
    assert rows.customer_ids.tolist() == ["ann@x.com", "ann@x.com", "bob@x.com"]
    assert rows.amounts.tolist() == [25.0, 0.0, 9.0]
    orders = aggregate_orders(rows)
    assert orders.amounts.tolist() == [25.0, 9.0]
    assert orders.baskets == (("Beans", "Mug"), ("Beans",))


def test_an_order_id_reused_by_another_customer_is_skipped(tmp_path: Path) -> None:
    text = "order_id,customer,date,total\n7,ann,2024-01-01,5\n7,bob,2024-01-01,6\n"
    rows = read_order_rows(write(tmp_path, text))
    (skip,) = rows.skipped
    assert (skip.row, skip.column) == (3, "customer")
    assert 'belongs to customer "ann" (row 2)' in skip.reason


def test_mixed_currencies_keep_every_row_with_its_currency(tmp_path: Path) -> None:
    text = (
        "customer,date,amount,currency\n"
        "a,2024-01-01,10,USD\nb,2024-01-02,11,USD\nc,2024-01-03,12,EUR\n"
    )
    rows = read_order_rows(write(tmp_path, text))
    assert rows.currency == "USD"  # the main currency: most rows
    assert rows.row_currencies is not None
    assert rows.row_currencies.tolist() == ["USD", "USD", "EUR"]
    assert rows.amounts.tolist() == [10.0, 11.0, 12.0]


def test_currency_filter_keeps_one_currency_and_counts_the_rest(tmp_path: Path) -> None:
    text = "customer,date,amount,currency\na,2024-01-01,10,usd\nc,2024-01-03,12,EUR\n"
    rows = read_order_rows(write(tmp_path, text), currency_filter="USD")
    assert rows.currency == "USD"
    assert rows.amounts.tolist() == [10.0]
    (skip,) = rows.skipped
    assert (skip.row, skip.column) == (3, "currency")
    assert "currency EUR, not USD" in skip.reason


def test_currency_symbols_in_amounts_count_as_currencies(tmp_path: Path) -> None:
    text = "customer,date,amount\na,2024-01-01,$10.00\nb,2024-01-02,€9.00\nc,2024-01-02,€1\n"
    rows = read_order_rows(write(tmp_path, text))
    assert rows.currency == "EUR"
    assert rows.row_currencies is not None
    assert rows.row_currencies.tolist() == ["$", "EUR", "EUR"]


@pytest.mark.parametrize("content", ["", "   \n\n", "\ufeff"])
def test_empty_file_is_refused(tmp_path: Path, content: str) -> None:
    with pytest.raises(OrdersFileError, match="is empty"):
        read_order_rows(write(tmp_path, content))


def test_header_without_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OrdersFileError, match="header row but no data rows"):
        read_order_rows(write(tmp_path, "customer,date,amount\n"))


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OrdersFileError, match="no such file"):
        read_order_rows(tmp_path / "nope.csv")


def test_latin1_file_is_decoded(tmp_path: Path) -> None:
    text = "client,date,montant\nZoë Müller,2024-01-05,12.00\nJosé,2024-01-06,3.00\n"
    rows = read_order_rows(write(tmp_path, text, encoding="latin-1"))
    assert rows.customer_ids.tolist() == ["Zoë Müller", "José"]
    assert rows.encoding in {"cp1252", "latin-1"}


def test_utf8_with_byte_order_mark_keeps_the_first_header(tmp_path: Path) -> None:
    rows = read_order_rows(write(tmp_path, "\ufeff" + GOOD))
    assert rows.columns["customer"] == "customer_id"
    assert rows.encoding == "UTF-8"


def test_semicolon_delimiter_and_decimal_commas(tmp_path: Path) -> None:
    text = "Kundennummer;Bestelldatum;Betrag\nk1;05.03.2024;12,50\nk2;06.03.2024;1.234,00\n"
    rows = read_order_rows(write(tmp_path, text))
    assert rows.delimiter == ";"
    assert rows.amounts.tolist() == [12.5, 1234.0]
    # Dotted dates are a day-first convention; the note still says how to flip it.
    assert rows.date_format == "DD/MM/YYYY"
    assert rows.dates[0] == np.datetime64("2024-03-05")
    assert "--date-format %m.%d.%Y" in rows.notes[0]


def test_tab_and_pipe_delimiters_are_sniffed(tmp_path: Path) -> None:
    for sep in ("\t", "|"):
        rows = read_order_rows(write(tmp_path, GOOD.replace(",", sep)))
        assert rows.delimiter == sep and rows.rows_accepted == 3


def test_quoted_newlines_keep_spreadsheet_row_numbers(tmp_path: Path) -> None:
    text = (
        "customer,date,amount,product\n"
        'a,2024-01-01,1,"Beans\nextra dark"\n'  # one row over two lines: row 2
        'b,2024-01-02,2,"Mug, ""big"""\n'  # row 3
        "c,not a date,3,Tea\n"  # row 4, physical line 5
    )
    rows = read_order_rows(write(tmp_path, text))
    assert rows.products is not None
    assert rows.products.tolist() == ["Beans\nextra dark", 'Mug, "big"']
    (skip,) = rows.skipped
    assert (skip.row, skip.column) == (4, "date")


def test_every_skipped_row_is_counted_and_the_first_ones_listed(tmp_path: Path) -> None:
    lines = ["customer,date,amount"]
    for i in range(50):
        lines.append(f"c{i},2024-01-01,{'x' if i % 2 else '1'}")
    lines.append(",2024-01-01,1")  # empty customer
    lines.append("z,2024-01-01")  # short row: the amount column is missing
    rows = read_order_rows(write(tmp_path, "\n".join(lines) + "\n"), max_listed=5)
    assert rows.rows_read == 52
    assert rows.rows_skipped == 27
    assert rows.rows_accepted + rows.rows_skipped == rows.rows_read
    assert [s.row for s in rows.skipped] == [3, 5, 7, 9, 11]
    assert rows.skipped_by_reason == {
        "amount: not a number": 25,
        "customer: empty customer": 1,
        "amount: missing field": 1,
    }


def test_blank_lines_are_counted_not_treated_as_rows(tmp_path: Path) -> None:
    rows = read_order_rows(write(tmp_path, GOOD.replace("\nb,", "\n\n\nb,")))
    assert rows.blank_lines == 2
    assert rows.row_numbers.tolist() == [2, 5, 6]


def test_voided_orders_are_skipped_with_their_status(tmp_path: Path) -> None:
    text = "customer,date,amount,financial_status\na,2024-01-01,5,paid\nb,2024-01-01,7,voided\n"
    rows = read_order_rows(write(tmp_path, text))
    (skip,) = rows.skipped
    assert (skip.row, skip.column) == (3, "financial_status")
    assert rows.amounts.tolist() == [5.0]


def test_unit_price_is_multiplied_by_quantity(tmp_path: Path) -> None:
    text = "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
    text += "536365,85123A,6,12/1/2010 8:26,2.55,17850\n"
    rows = read_order_rows(write(tmp_path, text))
    assert rows.columns["quantity"] == "Quantity"
    assert rows.amounts.tolist() == [pytest.approx(15.3)]
    assert rows.dates[0] == np.datetime64("2010-12-01")


def test_ambiguous_day_month_dates_are_read_month_first_with_a_note(tmp_path: Path) -> None:
    text = "customer,date,amount\na,03/04/2024,1\nb,05/06/2024,1\n"
    rows = read_order_rows(write(tmp_path, text))
    assert rows.dates[0] == np.datetime64("2024-03-04")
    assert rows.notes and "--date-format %d/%m/%Y" in rows.notes[0]
    rows = read_order_rows(write(tmp_path, text), date_format="%d/%m/%Y")
    assert rows.dates[0] == np.datetime64("2024-04-03") and not rows.notes


def test_no_readable_date_at_all_asks_for_a_date_format(tmp_path: Path) -> None:
    text = "customer,date,amount\na,yesterday,1\nb,today,1\n"
    with pytest.raises(OrdersFileError, match='no date in column "date" could be read'):
        read_order_rows(write(tmp_path, text))


def test_whitespace_file_without_header_by_column_positions(tmp_path: Path) -> None:
    text = " 00001     1 19970101  1   11.77\n 00002     2 19970112  1   12.00\n"
    rows = read_order_rows(write(tmp_path, text, "s.txt"), customer="1", date="3", amount="5")
    assert rows.delimiter == "whitespace" and not rows.has_header
    assert rows.customer_ids.tolist() == ["00001", "00002"]
    assert rows.row_numbers.tolist() == [1, 2]
    assert rows.columns == {"customer": "column 1", "date": "column 3", "amount": "column 5"}


def test_positions_are_required_when_there_is_no_header(tmp_path: Path) -> None:
    text = " 00001     1 19970101  1   11.77\n"
    with pytest.raises(OrdersFileError, match="no customer column: give its position"):
        read_order_rows(write(tmp_path, text, "s.txt"))


def test_cdnow_master_is_read_with_its_own_header() -> None:
    rows = read_order_rows(CDNOW / "CDNOW_master.txt")
    assert rows.columns == {"customer": "customer_id", "date": "date", "amount": "dollar_value"}
    assert rows.rows_read == 69_659 and rows.rows_skipped == 0
    assert np.unique(rows.customer_ids).size == 23_570
    assert rows.dates.min() == np.datetime64("1997-01-01")
    assert rows.dates.max() == np.datetime64("1998-06-30")


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("12", 12.0, None),
        ("1,234.50", 1234.5, None),
        ("1.234,50", 1234.5, None),
        ("12,5", 12.5, None),
        ("€12,50", 12.5, "EUR"),
        ("12.00 EUR", 12.0, "EUR"),
        ("$-3.00", -3.0, "$"),
        ("(4.25)", -4.25, None),
        ("1 000", 1000.0, None),
    ],
)
def test_amount_cells_in_local_styles(text: str, value: float, currency: str | None) -> None:
    parsed = parse_amount(text)
    assert parsed.value == pytest.approx(value)
    assert parsed.currency == currency


@pytest.mark.parametrize("text", ["", "abc", "1.2.3,4,5", "12..5", "nan", "inf", "--3"])
def test_amount_cells_that_are_not_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


def label_of(samples: list[str]) -> str | None:
    fmt = detect_date_format(samples)
    return None if fmt is None else fmt.label


def test_date_format_detection_prefers_the_reading_that_fits_every_value() -> None:
    assert label_of(["2024-01-31", "2024-02-01T10:00:00Z"]) == "YYYY-MM-DD"
    assert label_of(["19970101"]) == "YYYYMMDD"
    assert label_of(["31/01/2024", "01/02/2024"]) == "DD/MM/YYYY"
    assert label_of(["01/31/2024"]) == "MM/DD/YYYY"
    assert label_of(["March 5th, 2024", "6 Mar 2024"]) == "5 March 2024"
    assert detect_date_format(["soon"]) is None


@given(cents=st.integers(min_value=-(10**11), max_value=10**11))
def test_amounts_survive_us_and_european_formatting(cents: int) -> None:
    value = cents / 100
    us = f"{value:,.2f}"
    european = us.replace(",", "_").replace(".", ",").replace("_", ".")
    assert parse_amount(us).value == pytest.approx(value)
    assert parse_amount(european).value == pytest.approx(value)
    assert parse_amount(f"{value:.2f}").value == pytest.approx(value)


def test_a_file_whose_every_row_is_skipped_says_why(tmp_path: Path) -> None:
    with pytest.raises(OrdersFileError) as info:
        read_order_rows(write(tmp_path, "customer,date,amount\na,2024-01-01,-5\n"))
    message = str(info.value)
    assert "no usable rows out of 1" in message
    assert 'row 2, column "amount": negative amount -5' in message
