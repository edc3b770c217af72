"""Cell-level parsing for order exports: money amounts and calendar dates.

Shop and till exports write money and dates in many local styles ("$1,234.50",
"1.234,50 €", "(12.00)", "2024-03-05T10:00:00+01:00", "05/03/2024", "19970101").
These parsers turn one cell into a number or a day and, when they cannot, raise
``ValueError`` with a short human reason that the reader puts next to the row
number and column name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "DateFormat",
    "ParsedAmount",
    "detect_date_format",
    "parse_amount",
]

# Symbols people leave inside amount cells. "$" is deliberately kept as "$": it is shared by
# many currencies, and we only need it to notice when a file mixes, say, "$" and "€".
_SYMBOLS = {"$": "$", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₺": "TRY"}
_CODE = re.compile(r"^[A-Za-z]{3}$")
_DIGITS_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3})+$")
_DIGITS_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")


@dataclass(frozen=True)
class ParsedAmount:
    """An amount cell read as a float plus the currency its text named, if any."""

    value: float
    currency: str | None


def parse_amount(text: str) -> ParsedAmount:
    """Read a money cell such as ``"1,234.50"``, ``"€12,50"``, ``"-3.00"`` or ``"(3.00)"``.

    Rules, in order: surrounding spaces and one currency symbol or 3-letter code (before or
    after the number) are removed; parentheses or a leading/trailing minus mean negative;
    when both "," and "." appear the later one is the decimal mark; a lone "," is a
    thousands separator only in the exact ``1,234,567`` shape, otherwise it is the decimal
    mark (``12,5`` -> 12.5). A lone "." with exactly ``1.234.567`` groups (two or more
    dots) is a thousands separator. Raises ``ValueError`` with a reason otherwise.
    """
    if _PLAIN.match(text):  # the common case, "12.50": skip the local-style rules
        return ParsedAmount(float(text), None)
    s = text.strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    if not s:
        raise ValueError("empty amount")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.startswith("-"):
        negative, s = not negative, s[1:]
    elif s.startswith("+"):
        s = s[1:]
    elif s.endswith("-"):
        negative, s = not negative, s[:-1]
    currency: str | None = None
    if s and s[0] in _SYMBOLS:
        currency, s = _SYMBOLS[s[0]], s[1:]
    elif s and s[-1] in _SYMBOLS:
        currency, s = _SYMBOLS[s[-1]], s[:-1]
    elif len(s) > 3 and _CODE.match(s[:3]):
        currency, s = s[:3].upper(), s[3:]
    elif len(s) > 3 and _CODE.match(s[-3:]):
        currency, s = s[-3:].upper(), s[:-3]
    if s.startswith("-") and not negative:  # "$-3.00", "EUR-3"
        negative, s = True, s[1:]
    number = _normalise_number(s)
    if number is None:
        raise ValueError(f"{text.strip()!r} is not a number")
    value = float(number)
    return ParsedAmount(-value if negative else value, currency)


def _normalise_number(s: str) -> str | None:
    """Return ``s`` with thousands separators removed and "." as decimal mark, or None."""
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):  # 1.234,50
            s = s.replace(".", "").replace(",", ".")
        else:  # 1,234.50
            s = s.replace(",", "")
    elif "," in s:
        s = s.replace(",", "") if _DIGITS_THOUSANDS_COMMA.match(s) else s.replace(",", ".")
    elif s.count(".") > 1 and _DIGITS_THOUSANDS_DOT.match(s):
        s = s.replace(".", "")
    return s if _NUMBER.match(s) else None


# --- dates -----------------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"^(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})(?:$|[T\s,_])")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:$|[T\s])")
_NAMED_FORMATS = (
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%a %b %d %Y",
    "%A %B %d %Y",
)


@dataclass(frozen=True)
class DateFormat:
    """A way of reading a date cell; ``label`` is what we show people (``"YYYY-MM-DD"``)."""

    label: str
    parse: Callable[[str], date]
    ambiguous_with: str | None = None  # set when another reading fitted every sample too


def _numeric(order: str, label: str) -> DateFormat:
    def parse(text: str) -> date:
        m = _NUMERIC_DATE.match(text.strip())
        if m is None:
            raise ValueError(f"{text.strip()!r} is not a date like {label}")
        parts = dict(zip(order, (m.group(1), m.group(2), m.group(3)), strict=True))
        year_text = parts["y"]
        if len(year_text) == 2 and order[0] != "y":
            # Two-digit years in shop exports are this century; nobody exports 1924 sales.
            year = 2000 + int(year_text)
        elif len(year_text) == 4:
            year = int(year_text)
        else:
            raise ValueError(f"{text.strip()!r} is not a date like {label}")
        try:
            return date(year, int(parts["m"]), int(parts["d"]))
        except ValueError as exc:
            raise ValueError(f"{text.strip()!r} is not a real date ({exc})") from None

    return DateFormat(label, parse)


def _compact(text: str) -> date:
    m = _COMPACT_DATE.match(text.strip())
    if m is None:
        raise ValueError(f"{text.strip()!r} is not a date like YYYYMMDD")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise ValueError(f"{text.strip()!r} is not a real date ({exc})") from None


def _named(text: str) -> date:
    # Commas and ordinal suffixes ("March 5th, 2024") vary too much for one strptime format.
    s = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip().replace(",", " "))
    s = " ".join(s.split())
    for fmt in _NAMED_FORMATS:
        words = len(fmt.split())
        head = " ".join(s.split()[:words])
        try:
            return datetime.strptime(head, fmt).date()  # noqa: DTZ007 - a calendar day only
        except ValueError:
            continue
    raise ValueError(f"{text.strip()!r} is not a date like 5 March 2024")


def strptime_format(fmt: str) -> DateFormat:
    """A user-given ``--date-format`` (strptime codes); trailing time text is ignored."""

    def parse(text: str) -> date:
        s = text.strip()
        try:
            return datetime.strptime(s, fmt).date()  # noqa: DTZ007 - a calendar day only
        except ValueError as exc:
            message = str(exc)
            # Let "%Y-%m-%d" read "2024-03-05 10:00": the time of day does not matter here.
            prefix = "unconverted data remains: "
            if message.startswith(prefix):
                rest = message[len(prefix) :]
                try:
                    return datetime.strptime(s[: len(s) - len(rest)], fmt).date()  # noqa: DTZ007
                except ValueError:
                    pass
            raise ValueError(f"{s!r} does not match --date-format {fmt}") from None

    return DateFormat(fmt, parse)


_CANDIDATES: tuple[DateFormat, ...] = (
    _numeric("ymd", "YYYY-MM-DD"),
    DateFormat("YYYYMMDD", _compact),
    _numeric("mdy", "MM/DD/YYYY"),
    _numeric("dmy", "DD/MM/YYYY"),
    DateFormat("5 March 2024", _named),
)


def detect_date_format(samples: Iterable[str]) -> DateFormat | None:
    """Pick the reading that parses the most ``samples`` (distinct date cells).

    Ties go to the earlier candidate: ISO, then compact ``YYYYMMDD``, then US month-first,
    then day-first, then month names. When month-first and day-first both read every
    sample (all days <= 12), dotted dates (``05.03.2024``) are read day-first and others
    month-first, and the result carries ``ambiguous_with`` so the caller can say which
    reading it chose. Returns None when nothing parses any sample.
    """
    values = [s for s in samples if s.strip()]
    best: DateFormat | None = None
    best_hits = 0
    hits_by_label: dict[str, int] = {}
    for candidate in _CANDIDATES:
        hits = 0
        for value in values:
            try:
                candidate.parse(value)
            except ValueError:
                continue
            hits += 1
        hits_by_label[candidate.label] = hits
        if hits > best_hits:
            best, best_hits = candidate, hits
    if best is None:
        return None
    if best.label == "MM/DD/YYYY" and hits_by_label["DD/MM/YYYY"] == best_hits:
        # "05.03.2024" is a day-first convention (German, Swiss, Nordic, Russian tills);
        # slashes are ambiguous, and then US month-first is the more common export.
        dotted = sum(1 for v in values if "." in v[:6]) > len(values) / 2
        if dotted:
            day_first = next(c for c in _CANDIDATES if c.label == "DD/MM/YYYY")
            return DateFormat(day_first.label, day_first.parse, ambiguous_with="MM/DD/YYYY")
        return DateFormat(best.label, best.parse, ambiguous_with="DD/MM/YYYY")
    return best
