"""Segment rules: the JSON format, its validation, plain-words summaries, and compilation
to one SQL condition on ``Person``.

The format
==========

A segment's rules are a **group**::

    {"match": "all", "rules": [ <rule or group>, ... ]}

``match`` is ``"all"`` (every entry must hold: AND) or ``"any"`` (at least one: OR) and
defaults to ``"all"``. Groups nest: an entry of ``rules`` may itself be a group, up to
:data:`MAX_DEPTH` levels counting the outermost one, with at most :data:`MAX_RULES`
entries (rules and groups) in the whole tree. An empty outermost group selects everyone;
an empty nested group is refused because it means nothing.

A **rule** names a field, an operator and, for most operators, a value::

    {"field": "stage", "op": "in", "value": ["client", "advocate"]}
    {"field": "email", "op": "contains", "value": "@example.com"}
    {"field": "tag", "op": "has", "value": "VIP"}
    {"field": "role", "op": "has_not", "value": "vendor"}
    {"field": "custom_field", "key": "cups_per_day", "op": "gte", "value": 2}
    {"field": "activity", "kind": "call", "op": "within_last_days", "value": 30}
    {"field": "orders_amount", "op": "gt", "value": 250}
    {"field": "last_order_date", "op": "between", "value": ["2025-01-01", "2025-03-31"]}
    {"field": "p_alive", "op": "lt", "value": 0.3}
    {"field": "email", "op": "is_empty"}      (no "value" for is_empty/ever/never…)

Two fields take one extra key: ``custom_field`` needs ``key`` (the custom field's key;
its operators depend on the field's type) and ``activity`` needs ``kind`` (an activity
kind, or ``"any"``). No other keys are allowed, so a typo is reported, not ignored.

Fields and their operators (``registry.FIELDS`` is the source of truth):

==========================================  ==============================================
first_name, last_name, email, city          equals, not_equals, contains, not_contains,
                                            starts_with, is_empty, is_not_empty
country (ISO codes), acquisition_channel    in, not_in, is_empty, is_not_empty
(slugs)
stage, rfm_segment, churn_risk              in, not_in
role, tag                                   has, has_not
first_seen_at, first_order_date,            before, after, between, within_last_days,
last_order_date                             more_than_days_ago
custom_field (text)                         as first_name
custom_field (number)                       eq, ne, gt, gte, lt, lte, is_empty, is_not_empty
custom_field (date)                         as first_seen_at, plus is_empty, is_not_empty
custom_field (choice)                       in, not_in, is_empty, is_not_empty
activity (with kind)                        within_last_days, not_within_last_days, ever,
                                            never
orders_count, orders_amount, predicted_clv  eq, ne, gt, gte, lt, lte
rfm_r, rfm_f, rfm_m (1–5)                   eq, ne, gt, gte, lt, lte
p_alive (0–1)                               gt, gte, lt, lte
lead_score (0–1)                            gte, lte (open leads scored by thrive.prospects)
product_bought (SKUs), category_bought      bought_ever, bought_30, bought_90, bought_180,
(product categories)                        bought_365, not_bought_ever, not_bought_30, …
                                            (any of the list; completed or partly
                                            refunded orders, up to the rule's "now";
                                            read from the per-person products summary
                                            the database keeps, commerce.PersonProduct)
email_engagement (a number of days)         opened_within, not_opened_within,
                                            clicked_within, not_clicked_within,
                                            unsubscribed_within
==========================================  ==============================================

Values by operator: lists of choices for ``in``/``not_in`` (stage, rfm_segment,
churn_risk, acquisition_channel slugs, country codes, a choice custom field's choices);
one choice for ``has``/``has_not`` (role value, tag name); text for the text operators;
a JSON number for comparisons; an ISO date ``"YYYY-MM-DD"`` for ``before``/``after``,
two of them for ``between`` (both days included); a whole number of days (1 to 36,500)
for ``within_last_days``/``more_than_days_ago``/``not_within_last_days``.

Meaning
-------
* Text comparisons ignore case. Dates are days in the business's time zone
  (``THRIVE_TIME_ZONE``): "before 2025-03-01" means before that day began, "after"
  means after it ended; "between" includes both days. "Within the last N days" is the
  N × 24 hours up to now for moments (first seen, orders, activities) and today and the
  N days before it for date custom fields; "more than N days ago" is before that.
* Number custom fields compare as numbers (10 > 2), whether stored as a JSON number or
  a decimal string; a stored value that is not a number matches no comparison.
* Orders count only money the business kept: voided and pending orders are ignored;
  ``orders_amount`` is the sum of ``total − refunded`` over the others, zero for people
  who never ordered. ``first_order_date``/``last_order_date`` rules only select people
  with at least one such order.
* ``rfm_*``, ``p_alive``, ``predicted_clv`` and ``churn_risk`` read the latest
  ``CustomerScore``: people without a score (no orders yet) match none of these rules,
  including the negative ones ("churn risk is none of high" means scored customers with
  another risk).
* A negative operator (``not_equals``, ``not_contains``, ``not_in``, ``has_not``,
  ``never``…) selects everyone the positive one does not, including people with no
  value at all, except for the score rules above.

Every rule compiles (in :mod:`.sql`) to a condition on the person row, an ``EXISTS``
keyed on the person's id over an indexed column, or ``id IN (…)`` over a per-person
summary the database keeps exact (order counts and amounts; products bought), so a whole
segment is one SQL query with no per-row Python, and it runs unchanged on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from thrive.core import business

from .registry import (
    CUSTOM_FIELD_OPS,
    FIELDS,
    MAX_DAYS,
    MAX_DEPTH,
    MAX_LIST,
    MAX_NUMBER,
    MAX_RULES,
    MAX_TEXT,
    STATIC_OPTIONS,
    Field,
    References,
    ValueKind,
)
from .sql import Clock, compile_group
from .words import Summary, describe_rules, editor_registry, summary_text

__all__ = [
    "FIELDS",
    "MAX_DEPTH",
    "MAX_RULES",
    "References",
    "RuleError",
    "Summary",
    "compile_rules",
    "describe_rules",
    "editor_registry",
    "parse_rules",
    "rule_errors",
    "rules_from_text",
    "summary_text",
    "validate_rules",
]

# Dates outside these years are typos; bounding them also keeps "the day after" and
# time-zone conversions from overflowing.
MIN_YEAR, MAX_YEAR = 1900, 2999
CUSTOM_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class RuleError:
    """One problem: where it is (``rules[2].rules[0].value``) and what is wrong."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


# ---------------------------------------------------------------------------- validation


class _Invalid(Exception):
    """Raised inside validation for one bad rule; collected, never escapes."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.error = RuleError(path, message)


def _describe_position(path: str) -> str:
    """``rules[2].rules[0]`` → ``Rule 3.1`` so messages read without knowing JSON."""
    numbers = [str(int(n) + 1) for n in re.findall(r"rules\[(\d+)\]", path)]
    return f"Rule {'.'.join(numbers)}" if numbers else "The rules"


class _Validator:
    def __init__(self, references: References | None) -> None:
        self.references = references
        self.errors: list[RuleError] = []
        self.count = 0

    def fail(self, path: str, message: str) -> None:
        self.errors.append(RuleError(path, f"{_describe_position(path)}: {message}"))

    def group(self, node: Any, path: str, depth: int) -> dict[str, Any] | None:
        where = path or "rules"
        if not isinstance(node, dict):
            self.fail(where, "a group must be an object with “match” and “rules”.")
            return None
        unknown = sorted(set(node) - {"match", "rules"}, key=str)
        if unknown:
            self.fail(where, f"unknown key {', '.join(map(_show, unknown))} in a group.")
            return None
        match = node.get("match", "all")
        if match not in ("all", "any"):
            self.fail(f"{path}.match" if path else "match", "match must be “all” or “any”.")
            return None
        entries = node.get("rules")
        if not isinstance(entries, list):
            self.fail(f"{path}.rules" if path else "rules", "“rules” must be a list.")
            return None
        if not entries and depth > 1:
            self.fail(where, "this group has no rules; add one or remove the group.")
            return None
        cleaned: list[dict[str, Any]] = []
        prefix = f"{path}.rules" if path else "rules"
        for index, entry in enumerate(entries):
            self.count += 1
            if self.count > MAX_RULES:
                self.fail(
                    f"{prefix}[{index}]",
                    f"a segment can have at most {MAX_RULES} rules and groups.",
                )
                return None
            entry_path = f"{prefix}[{index}]"
            if isinstance(entry, dict) and ("rules" in entry or "match" in entry):
                if depth >= MAX_DEPTH:
                    self.fail(
                        entry_path,
                        f"groups can be nested at most {MAX_DEPTH} levels deep.",
                    )
                    continue
                sub = self.group(entry, entry_path, depth + 1)
            else:
                sub = self.rule(entry, entry_path)
            if sub is not None:
                cleaned.append(sub)
        return {"match": match, "rules": cleaned}

    def rule(self, node: Any, path: str) -> dict[str, Any] | None:
        try:
            return self._rule(node, path)
        except _Invalid as exc:
            self.fail(exc.error.path, exc.error.message)
            return None

    def _rule(self, node: Any, path: str) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise _Invalid(path, "a rule must be an object with “field” and “op”.")
        name = node.get("field")
        if not isinstance(name, str) or not name:
            raise _Invalid(f"{path}.field", "choose a field.")
        field = FIELDS.get(name)
        if field is None:
            raise _Invalid(f"{path}.field", f"there is no field called {_show(name)}.")
        allowed = {"field", "op", "value"} | ({field.param} if field.param else set())
        unknown = sorted(set(node) - allowed, key=str)
        if unknown:
            keys = ", ".join(map(_show, unknown))
            raise _Invalid(path, f"unknown key {keys} for {field.label}.")
        cleaned: dict[str, Any] = {"field": name}
        operators, label = field.operators, field.label
        options: list[tuple[str, str]] | None = None
        if field.param == "key":
            key = node.get("key")
            if not isinstance(key, str) or not CUSTOM_KEY_RE.match(key):
                raise _Invalid(f"{path}.key", "choose a custom field.")
            if self.references is not None:
                definition = self.references.custom_fields.get(key)
                if definition is None:
                    raise _Invalid(f"{path}.key", f"there is no custom field called {_show(key)}.")
                operators = CUSTOM_FIELD_OPS[definition.field_type]
                label = definition.label
                options = [(c, c) for c in definition.choices or []]
            cleaned["key"] = key
        elif field.param == "kind":
            kind = node.get("kind")
            if not isinstance(kind, str) or kind not in dict(STATIC_OPTIONS["activity"]):
                raise _Invalid(f"{path}.kind", "choose an activity kind.")
            cleaned["kind"] = kind
        op_name = node.get("op")
        op = next((o for o in operators if o.name == op_name), None)
        if op is None:
            names = ", ".join(o.name for o in operators)
            problem = (
                "needs an operator" if op_name is None else f"has no operator {_show(op_name)}"
            )
            raise _Invalid(f"{path}.op", f"{label} {problem}; use one of: {names}.")
        cleaned["op"] = op.name
        if op.value is ValueKind.NONE:
            if node.get("value") is not None:
                raise _Invalid(f"{path}.value", f"“{op.label}” takes no value.")
            return cleaned
        if "value" not in node or node["value"] is None:
            raise _Invalid(f"{path}.value", f"give a value for “{label} {op.label}”.")
        if options is None and field.options and self.references is not None:
            options = self.references.options(field.options)
        cleaned["value"] = self._value(op.value, node["value"], f"{path}.value", field, options)
        return cleaned

    def _value(
        self,
        kind: ValueKind,
        raw: Any,
        path: str,
        field: Field,
        options: list[tuple[str, str]] | None,
    ) -> Any:
        if kind is ValueKind.TEXT:
            if not isinstance(raw, str) or not raw.strip():
                raise _Invalid(path, "give some text.")
            if len(raw) > MAX_TEXT:
                raise _Invalid(path, f"text is limited to {MAX_TEXT} characters.")
            if not _storable(raw):
                raise _Invalid(path, "the text contains characters that cannot be searched for.")
            return raw.strip()
        if kind is ValueKind.CHOICE:
            if not isinstance(raw, str) or not raw.strip():
                raise _Invalid(path, f"choose one {field.label.lower()}.")
            return self._option(raw.strip(), path, field, options)
        if kind in (ValueKind.CHOICES, ValueKind.CODES):
            if isinstance(raw, str):
                raw = [raw]
            if not isinstance(raw, list) or not raw:
                raise _Invalid(path, "choose at least one value (a list).")
            if len(raw) > MAX_LIST:
                raise _Invalid(path, f"at most {MAX_LIST} values.")
            values: list[str] = []
            for item in raw:
                if not isinstance(item, str) or not item.strip():
                    raise _Invalid(path, "every value in the list must be text.")
                if kind is ValueKind.CODES:
                    code = item.strip().upper()
                    if not COUNTRY_RE.match(code):
                        raise _Invalid(path, f"{_show(item)} is not a two-letter country code.")
                    value = code
                else:
                    value = self._option(item.strip(), path, field, options)
                if value not in values:
                    values.append(value)
            return values
        if kind in (ValueKind.DATE, ValueKind.DATE_RANGE):
            if kind is ValueKind.DATE:
                return _parse_date(raw, path).isoformat()
            if not isinstance(raw, list) or len(raw) != 2:
                raise _Invalid(path, "give two dates: [first day, last day].")
            start, end = _parse_date(raw[0], path), _parse_date(raw[1], path)
            if start > end:
                raise _Invalid(path, "the first date must not be after the second.")
            return [start.isoformat(), end.isoformat()]
        # Numbers: JSON numbers only, because "10" vs 10 hides mistakes in hand-written JSON.
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise _Invalid(path, f"{_show(raw)} is not a number.")
        # abs() first: a huge JSON integer cannot even be turned into a float.
        if abs(raw) > MAX_NUMBER or not math.isfinite(raw):
            raise _Invalid(path, f"{_show(raw)} is not a usable number.")
        if kind is ValueKind.NUMBER:
            return raw
        if kind is ValueKind.PROBABILITY:
            if not 0 <= raw <= 1:
                raise _Invalid(path, "a probability is between 0 and 1, e.g. 0.3.")
            return raw
        whole = int(raw)
        if whole != raw:
            raise _Invalid(path, f"{_show(raw)} is not a whole number.")
        bounds = {
            ValueKind.COUNT: (0, int(MAX_NUMBER)),
            ValueKind.SCORE: (1, 5),
            ValueKind.DAYS: (1, MAX_DAYS),
        }[kind]
        if not bounds[0] <= whole <= bounds[1]:
            raise _Invalid(path, f"use a whole number from {bounds[0]} to {bounds[1]}.")
        return whole

    def _option(
        self, value: str, path: str, field: Field, options: list[tuple[str, str]] | None
    ) -> str:
        if options is None:
            # Options not loaded (structural check only): the value cannot be checked.
            static = STATIC_OPTIONS.get(field.options or "")
            if static is None:
                return value
            options = static
        if field.options == "tag":
            # Tag names are unique ignoring case; keep the tag's own spelling.
            found = {v.lower(): v for v, _ in options}.get(value.lower())
        else:
            found = value if value in dict(options) else None
        if found is None:
            known = ", ".join(v for v, _ in options[:20]) or "none defined yet"
            raise _Invalid(path, f"{_show(value)} is not a known {field.label.lower()} ({known}).")
        return found


def _show(value: Any) -> str:
    """A user's value quoted for a message, cut short so a pasted novel stays readable."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}…"


def _storable(text: str) -> bool:
    """Whether both databases accept ``text`` as a parameter: PostgreSQL refuses NUL and
    neither can encode the lone surrogates that JSON escapes like \\ud800 produce."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse_date(raw: Any, path: str) -> dt.date:
    if not isinstance(raw, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw.strip()):
        raise _Invalid(path, f"{_show(raw)} is not a date; use YYYY-MM-DD.")
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise _Invalid(path, f"{_show(raw)} is not a real date.") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise _Invalid(path, f"use a year between {MIN_YEAR} and {MAX_YEAR}.")
    return day


MAX_JSON_LENGTH = 20_000


def parse_rules(text: str) -> Any:
    """Parse rules written as JSON text; raise ValidationError in plain words if it is
    not JSON (or is absurdly long or deep, which JSON from the editor never is)."""
    if len(text) > MAX_JSON_LENGTH:
        raise ValidationError(f"The rules are too long (more than {MAX_JSON_LENGTH:,} characters).")
    if not text.strip():
        raise ValidationError('Write the rules as JSON, e.g. {"match": "all", "rules": []}.')
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"The rules are not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None
    except ValueError:  # e.g. an integer with thousands of digits
        raise ValidationError("The rules contain a number far too long to be real.") from None
    except RecursionError:
        raise ValidationError("The rules are nested far too deeply.") from None
    # Some Python versions parse absurd nesting without complaint; refuse it the same way.
    if _json_depth(parsed) > MAX_JSON_DEPTH:
        raise ValidationError("The rules are nested far too deeply.")
    return parsed


MAX_JSON_DEPTH = 64


def _json_depth(value: Any) -> int:
    """Nesting depth of parsed JSON, measured without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                return depth
            stack.extend((child, depth + 1) for child in node)
    return deepest


def rules_from_text(
    text: str, *, references: References | None = None
) -> tuple[dict[str, Any] | None, list[RuleError]]:
    """Parse and validate JSON text: ``(cleaned, [])`` or ``(None, errors)``."""
    try:
        rules = parse_rules(text)
    except ValidationError as exc:
        return None, [RuleError("", message) for message in exc.messages]
    return rule_errors(rules, references=references)


def rule_errors(
    rules: Any, *, references: References | None = None, check_references: bool = True
) -> tuple[dict[str, Any] | None, list[RuleError]]:
    """Validate ``rules`` and return ``(cleaned, errors)``; ``cleaned`` is None if any.

    With ``check_references`` the tags, channels and custom fields named by the rules
    must exist (a few queries, through ``references``); without it only the shape and
    the built-in vocabulary are checked, with no query.
    """
    refs = (references or References()) if check_references else None
    validator = _Validator(refs)
    cleaned = validator.group(rules, "", 1)
    if validator.errors or cleaned is None:
        return None, validator.errors
    return cleaned, []


def validate_rules(
    rules: Any, *, references: References | None = None, check_references: bool = True
) -> dict[str, Any]:
    """Return the cleaned rules or raise ValidationError listing every problem.

    Each message starts with where the problem is ("Rule 2.1: …"); the error's
    ``error_dict`` is keyed by the JSON path (``rules[1].rules[0].value``).
    """
    cleaned, errors = rule_errors(rules, references=references, check_references=check_references)
    if errors:
        by_path: dict[str, list[str]] = {}
        for error in errors:
            by_path.setdefault(error.path, []).append(error.message)
        raise ValidationError(by_path)
    assert cleaned is not None  # noqa: S101 - no errors means a cleaned tree
    return cleaned


def compile_rules(rules: Any, *, now: dt.datetime | None = None) -> Q:
    """Return one condition on ``Person`` selecting exactly the people ``rules`` match.

    ``Person.objects.filter(compile_rules(rules))`` is a single SQL query with no joins
    that multiply rows (no ``distinct()`` needed). The rules' shape is checked again
    here without touching the database, so only well-formed rules are compiled; names of
    tags, channels and custom fields that no longer exist simply match nobody (or
    everybody, for the negative operators). ``now`` anchors "in the last N days".

    Raises ValidationError for malformed rules.
    """
    cleaned = validate_rules(rules, check_references=False)
    moment = now or timezone.now()
    clock = Clock(now=moment, zone=ZoneInfo(business.time_zone_name()))
    return compile_group(cleaned, clock)
