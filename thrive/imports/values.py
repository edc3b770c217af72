"""One cell at a time: dates, money, quantities and yes/no, each failing with a reason.

Every parser raises ``CellError(reason)``; the importer puts the reason next to the row
number and the column's header. Nothing is guessed that could be read two ways: money must
have at most two decimals, a slashed date is read in the import's day order.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError

from thrive.contacts.identity import normalize_email
from thrive.core.money import parse_amount

_SLASHED = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_TRUE = frozenset({"yes", "y", "true", "1", "subscribed", "opted in", "optin", "x", "granted"})
_FALSE = frozenset({"no", "n", "false", "0", "unsubscribed", "", "cleaned", "pending"})
_SYMBOLS = "$€£¥"


# A plain address (ASCII dot-atom local part, ASCII host names, a letters-only TLD): every
# address this matches is one Django's validator accepts, so the import skips the slower
# full check for the common case and falls back to it for anything else.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+\-]+(?:\.[a-z0-9_%+\-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
EMAIL_MAX = 254  # Person.email's column size


def clean_email(raw: str) -> str | None:
    """The email as contacts store it (trimmed, lower-case), None when blank.

    Raises ValidationError (field "email") exactly when ``normalize_email`` would, and also
    for addresses longer than the email column holds.
    """
    email = raw.strip().lower()
    if not email:
        return None
    if len(email) > EMAIL_MAX:
        raise ValidationError({"email": f"longer than {EMAIL_MAX} characters"})
    if _PLAIN_EMAIL.fullmatch(email):
        return email
    return normalize_email(raw)


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown to people."""


def guess_date_order(samples: list[str], default: str = "mdy") -> str:
    """ "dmy" if some sample's first number is over 12, "mdy" if the second is, else default."""
    for text in samples:
        match = _SLASHED.match(text.strip())
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            if first > 12 >= second:
                return "dmy"
            if second > 12 >= first:
                return "mdy"
    return default


def parse_datetime(text: str, *, zone: zoneinfo.ZoneInfo, order: str = "mdy") -> dt.datetime:
    """An aware datetime from ISO 8601 (with or without time and offset) or a slashed date
    read in ``order``; times without an offset are in ``zone`` (the business's)."""
    return _parse_datetime(text.strip(), zone, order)


# Exports repeat dates (a day's orders, a list's signup days): each text is read once.
@functools.lru_cache(maxsize=65536)
def _parse_datetime(text: str, zone: zoneinfo.ZoneInfo, order: str) -> dt.datetime:
    if not text:
        raise CellError("the date is empty")
    try:
        value = dt.datetime.fromisoformat(text.replace("/", "-") if text[:4].isdigit() else text)
    except ValueError:
        match = _SLASHED.match(text)
        if not match:
            raise CellError(f"{text!r} is not a date (use YYYY-MM-DD)") from None
        a, b, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        month, day = (a, b) if order == "mdy" else (b, a)
        hour, minute, second = (int(match.group(i) or 0) for i in (4, 5, 6))
        try:
            value = dt.datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - zone below
        except ValueError:
            shape = "MM/DD/YYYY" if order == "mdy" else "DD/MM/YYYY"
            raise CellError(f"{text!r} is not a date in {shape} order") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    if (
        not dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
        <= value
        <= dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
    ):
        raise CellError(f"{text!r} is outside the years 1900–2200")
    return value.astimezone(dt.UTC)


def parse_money(text: str, *, allow_negative: bool = False) -> Decimal:
    """An exact amount: "1,234.50", "$12.00", "12" → Decimal; more than 2 decimals refused."""
    return _parse_money(text, allow_negative)


# A shop export repeats its prices (one per product): each text is read once. Decimals are
# immutable, so sharing one between lines is safe; a refusal is never cached.
@functools.lru_cache(maxsize=65536)
def _parse_money(text: str, allow_negative: bool) -> Decimal:
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    for symbol in _SYMBOLS:
        cleaned = cleaned.replace(symbol, "")
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = "-" + cleaned[1:-1]
    if not cleaned:
        raise CellError("the amount is empty")
    try:
        return parse_amount(cleaned, allow_negative=allow_negative)
    except ValidationError as exc:
        message = exc.messages[0] if exc.messages else "not an amount"
        raise CellError(message.replace(repr(cleaned), repr(text.strip()))) from None


def parse_quantity(text: str) -> int:
    cleaned = text.strip()
    if not cleaned:
        return 1
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    if not cleaned.lstrip("-").isdigit():
        raise CellError(f"{text.strip()!r} is not a whole number")
    return int(cleaned)


def parse_yes(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CellError(f"{text.strip()!r} is not yes or no")


def parse_count(text: str) -> int | None:
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise CellError(f"{text.strip()!r} is not a whole number")
    return int(cleaned)
