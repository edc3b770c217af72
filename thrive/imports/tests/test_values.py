"""Cell parsers: exact money, dates in both day orders, emails exactly as contacts take them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.contacts.identity import normalize_email
from thrive.imports.values import (
    CellError,
    clean_email,
    guess_date_order,
    parse_datetime,
    parse_money,
    parse_quantity,
)

UTC = zoneinfo.ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12.50", "12.50"), ("$1,234.50", "1234.50"), ("(3.00)", "-3.00"), ("7", "7.00")],
)
def test_money_is_read_exactly(text, expected):
    assert parse_money(text, allow_negative=True) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("12.505", "more than 2 decimal places"), ("abc", "is not a number"), ("", "empty"),
     ("-3", "is negative"), ("NaN", "not a finite number")],
)  # fmt: skip
def test_bad_money_says_why(text, reason):
    with pytest.raises(CellError, match=reason):
        parse_money(text)


def test_dates_in_iso_with_offsets_and_in_either_day_order():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert parse_datetime("2024-03-05 10:00:00 -0500", zone=UTC) == dt.datetime(
        2024, 3, 5, 15, tzinfo=dt.UTC
    )
    assert parse_datetime("2024-07-01", zone=paris) == dt.datetime(2024, 6, 30, 22, tzinfo=dt.UTC)
    assert parse_datetime("03/04/2024", zone=UTC, order="dmy").date() == dt.date(2024, 4, 3)
    assert parse_datetime("03/04/2024", zone=UTC, order="mdy").date() == dt.date(2024, 3, 4)
    with pytest.raises(CellError, match="DD/MM/YYYY"):
        parse_datetime("12/31/2024", zone=UTC, order="dmy")
    with pytest.raises(CellError, match="outside the years"):
        parse_datetime("1066-10-14", zone=UTC)


def test_the_day_order_is_guessed_from_a_day_over_twelve():
    assert guess_date_order(["03/04/2024", "25/12/2023"]) == "dmy"
    assert guess_date_order(["12/25/2023"], default="dmy") == "mdy"
    assert guess_date_order(["03/04/2024"], default="dmy") == "dmy"


def test_quantities_are_whole_numbers():
    assert parse_quantity("3") == 3 and parse_quantity("2.0") == 2 and parse_quantity("") == 1
    with pytest.raises(CellError, match="whole number"):
        parse_quantity("1.5")


def reference(raw):
    try:
        return normalize_email(raw)
    except ValidationError:
        return "invalid"


def ours(raw):
    try:
        return clean_email(raw)
    except ValidationError:
        return "invalid"


@pytest.mark.parametrize(
    "raw",
    [" Ann@Example.COM ", "a..b@x.com", ".a@x.com", "a@x", "a@-x.com", "a@x-.com", "a@x.c",
     "o'brien@x.ie", "ü@x.de", "a@bücher.de", "a b@x.com", "a@[127.0.0.1]", "", "a@localhost",
     "first.last+tag@sub.example.co.uk", "a@x.123"],
)  # fmt: skip
def test_emails_are_normalised_exactly_as_contacts_do(raw):
    assert ours(raw) == reference(raw)


@settings(max_examples=300, deadline=None)
@given(st.emails() | st.text(alphabet="abc.-_+@xyz019ÄÉ ", max_size=30))
def test_the_fast_email_check_never_disagrees_with_contacts(raw):
    assert ours(raw) == reference(raw)
