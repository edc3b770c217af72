"""Turning database values into JSON and CSV cells, and JSON back into field values."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection);
# a leading apostrophe makes it plain text and is hidden by the spreadsheet. The
# full-width and small forms count too: some spreadsheets fold them to the ASCII sign
# (Excel in East Asian locales reads ＝1+1 as a formula).
FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")
# Kept for callers that test a prefix; the guard itself is ``starts_formula``.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NEGATIVE_NUMBER = re.compile(r"-\d+(\.\d+)?")


def to_json_value(field: models.Field, value: Any) -> Any:
    """A JSON-ready value that ``from_json_value`` turns back into exactly ``value``."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _iso(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def _same(value: Any) -> Any:
    return value


def json_converter(field: models.Field) -> Callable[[Any], Any]:
    """``to_json_value`` specialised for one field: chosen once per table, not per cell."""
    if isinstance(field, models.ForeignKey):
        return json_converter(field.target_field)
    if isinstance(field, models.JSONField | models.BooleanField | models.FloatField):
        return _same
    if isinstance(field, models.IntegerField | models.AutoField) and not field.choices:
        return _same
    if isinstance(field, models.CharField | models.TextField) and not isinstance(
        field, models.GenericIPAddressField
    ):
        return _same
    if isinstance(field, models.DateField | models.TimeField):  # DateTimeField included
        return _iso
    if isinstance(field, models.DecimalField | models.UUIDField):
        return _text
    return lambda value: to_json_value(field, value)


def from_json_value(field: models.Field, value: Any) -> Any:
    """The field value for a JSON value written by ``to_json_value``."""
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.BinaryField):
        return base64.b64decode(value)
    if isinstance(field, models.DurationField):
        return dt.timedelta(seconds=value)
    if isinstance(field, models.ForeignKey):
        return field.target_field.to_python(value)
    return field.to_python(value)


def json_line(record: dict[str, Any]) -> bytes:
    """One canonical JSON Lines row: sorted keys, no spaces, UTF-8, so the same data always
    gives the same bytes (and checksum) on SQLite and PostgreSQL."""
    return (
        json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    ).encode()


def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: JSON for structures, ISO dates, and an
    apostrophe in front of anything a spreadsheet would run as a formula."""
    kind = type(value)
    if kind is str:
        return safe_text(value) if value and _suspect(value[0]) else value
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        text = value.isoformat()
    else:
        text = str(value)
    return safe_text(text)


def _suspect(first: str) -> bool:
    """The first character may begin a formula: a sign, or whitespace that a
    spreadsheet may trim before reading what follows (tab, newline, space, U+3000)."""
    return first in FORMULA_SIGNS or first.isspace()


def starts_formula(text: str) -> bool:
    """True when a spreadsheet could run ``text``: it starts with a formula sign (ASCII,
    full-width or small form) once leading whitespace is dropped, or it starts with a
    tab, carriage return or newline."""
    if not text:
        return False
    if text[0] in "\t\r\n":
        return True
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in FORMULA_SIGNS


def safe_text(text: str) -> str:
    """``text`` made safe to open in a spreadsheet (prefixed with ' if it starts a formula).

    A plain negative number such as ``-4.50`` is left alone: a spreadsheet reads it as a
    number, and prefixing it would turn refunds into text. ``+1555…`` phone numbers are
    prefixed, which also keeps their plus sign visible.
    """
    if starts_formula(text) and not _NEGATIVE_NUMBER.fullmatch(text):
        return "'" + text
    return text
