"""Compiling cleaned segment rules to one SQL condition on Person.

Every rule becomes a condition on the person row or an ``EXISTS``/scalar subquery keyed
on the person's id over indexed columns (the activity timeline here; orders by person
and date, scores by person in the apps that register those fields), so counting a
segment is one query on SQLite and PostgreSQL alike, without per-row Python. Tag, role
and score rules are the exception on SQLite, see
:func:`thrive.contacts.queries.person_in`. Callers use
:func:`thrive.segments.rules.compile_rules`, which validates first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Exists,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    IExact,
    In,
    IStartsWith,
    LessThan,
    LessThanOrEqual,
)

from thrive.contacts.models import Activity, PersonRole, PersonTag
from thrive.contacts.queries import person_in

from .registry import ANY_KIND, COMPILERS


class JSONNumber(Func):
    """A custom field's JSON value as a float, or NULL when it is not a number.

    Numbers are stored as JSON numbers or, with a fraction, as decimal strings; both
    become floats. The guard matters on PostgreSQL, where casting text like "n/a" (left
    behind if a field's type was changed) would abort the whole query; SQLite never
    fails a cast but would read "n/a" as 0, so it gets an equivalent guard with GLOB
    (native, unlike REGEXP, which SQLite runs in Python row by row).
    """

    output_field = FloatField()
    _PG_NUMBER = r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$"

    def __init__(self, key: str) -> None:
        super().__init__(KeyTextTransform(key, "custom_fields"))

    def _text(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return sql, tuple(params)

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        text, params = self._text(compiler, connection)
        return f"CAST({text} AS DOUBLE PRECISION)", params

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        text, params = self._text(compiler, connection)
        sql = f"(CASE WHEN {text} ~ %s THEN CAST({text} AS DOUBLE PRECISION) END)"
        return sql, (*params, self._PG_NUMBER, *params)

    def as_sqlite(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        text, params = self._text(compiler, connection)
        sql = f"(CASE WHEN {text} GLOB %s AND NOT {text} GLOB %s THEN CAST({text} AS REAL) END)"
        return sql, (*params, "*[0-9]*", *params, "*[^0-9eE.+-]*", *params)


@dataclass(frozen=True)
class Clock:
    """``now`` and the business's time zone, so relative rules are reproducible."""

    now: dt.datetime
    zone: ZoneInfo

    def start_of(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=self.zone)

    def end_of(self, day: dt.date) -> dt.datetime:
        """The first moment after ``day`` (exclusive bound)."""
        return self.start_of(day + dt.timedelta(days=1))

    def days_ago(self, days: int) -> dt.datetime:
        return self.now - dt.timedelta(days=days)

    def today(self) -> dt.date:
        return self.now.astimezone(self.zone).date()


def compare(lhs: Any, op: str, value: Any) -> Q:
    lookup = {
        "eq": Exact,
        "gt": GreaterThan,
        "gte": GreaterThanOrEqual,
        "lt": LessThan,
        "lte": LessThanOrEqual,
    }
    if op == "ne":
        return ~Q(Exact(lhs, value))
    return Q(lookup[op](lhs, value))


def _text_q(column: str, op: str, value: Any, *, nullable: bool = False) -> Q:
    empty = Q(**{column: ""})
    if nullable:
        empty |= Q(**{f"{column}__isnull": True})
    match op:
        case "equals":
            return Q(**{f"{column}__iexact": value})
        case "not_equals":
            return ~Q(**{f"{column}__iexact": value})
        case "contains":
            return Q(**{f"{column}__icontains": value})
        case "not_contains":
            return ~Q(**{f"{column}__icontains": value})
        case "starts_with":
            return Q(**{f"{column}__istartswith": value})
        case "is_empty":
            return empty
        case "is_not_empty":
            return ~empty
    raise AssertionError(op)


def _moment_q(column: str, op: str, value: Any, clock: Clock) -> Q:
    """Date operators on a datetime column of Person."""
    match op:
        case "before":
            return Q(**{f"{column}__lt": clock.start_of(dt.date.fromisoformat(value))})
        case "after":
            return Q(**{f"{column}__gte": clock.end_of(dt.date.fromisoformat(value))})
        case "between":
            start, end = (dt.date.fromisoformat(v) for v in value)
            return Q(
                **{f"{column}__gte": clock.start_of(start), f"{column}__lt": clock.end_of(end)}
            )
        case "within_last_days":
            # Bounded by ``now`` too, so rules evaluated "as of" a past moment agree.
            return Q(**{f"{column}__gte": clock.days_ago(value), f"{column}__lte": clock.now})
        case "more_than_days_ago":
            return Q(**{f"{column}__lt": clock.days_ago(value)})
    raise AssertionError(op)


def _custom_q(key: str, op: str, value: Any, clock: Clock) -> Q:
    text = KeyTextTransform(key, "custom_fields")
    present = Q(custom_fields__has_key=key)
    match op:
        case "is_empty":
            return ~present
        case "is_not_empty":
            return present
        case "equals":
            return Q(IExact(text, value))
        case "not_equals":
            # Spelled out: a missing key makes the comparison NULL, and NOT NULL is NULL.
            return ~present | ~Q(IExact(text, value))
        case "contains":
            return Q(IContains(text, value))
        case "not_contains":
            return ~present | ~Q(IContains(text, value))
        case "starts_with":
            return Q(IStartsWith(text, value))
        case "in":
            return Q(In(text, value))
        case "not_in":
            return ~present | ~Q(In(text, value))
        case "eq" | "gt" | "gte" | "lt" | "lte":
            return compare(JSONNumber(key), op, float(value))
        case "ne":
            return ~present | ~Q(Exact(JSONNumber(key), float(value)))
    # Dates are stored as "YYYY-MM-DD", whose text order is date order: compare as text.
    today = clock.today()
    match op:
        case "before":
            return Q(LessThan(text, value))
        case "after":
            return Q(GreaterThan(text, value))
        case "between":
            return Q(GreaterThanOrEqual(text, value[0])) & Q(LessThanOrEqual(text, value[1]))
        case "within_last_days":
            since = (today - dt.timedelta(days=value)).isoformat()
            return Q(GreaterThanOrEqual(text, since)) & Q(LessThanOrEqual(text, today.isoformat()))
        case "more_than_days_ago":
            until = (today - dt.timedelta(days=value)).isoformat()
            return Q(LessThan(text, until))
    raise AssertionError(op)


def _activity_q(kind: str, op: str, value: Any, clock: Clock) -> Q:
    filters: dict[str, Any] = {"person": OuterRef("pk")}
    if kind != ANY_KIND:
        filters["kind"] = kind
    if op in ("within_last_days", "not_within_last_days"):
        filters["occurred_at__range"] = (clock.days_ago(value), clock.now)
    found = Exists(Activity.objects.filter(**filters))
    return Q(found) if op in ("within_last_days", "ever") else ~Q(found)


def _choice_q(column: str, op: str, value: Any, *, empty: Q | None = None) -> Q:
    match op:
        case "in":
            return Q(**{f"{column}__in": value})
        case "not_in":
            return ~Q(**{f"{column}__in": value})
        case "is_empty" if empty is not None:
            return empty
        case "is_not_empty" if empty is not None:
            return ~empty
    raise AssertionError(op)


def _has(op: str, related: QuerySet[Any]) -> Q:
    found = person_in(related)
    return found if op == "has" else ~found


def _compile_rule(rule: dict[str, Any], clock: Clock) -> Q:
    field: str = rule["field"]
    op: str = rule["op"]
    value: Any = rule.get("value")
    match field:
        case "first_name" | "last_name" | "city":
            return _text_q(field, op, value)
        case "email":
            return _text_q(field, op, value, nullable=True)
        case "country":
            return _choice_q("country", op, value, empty=Q(country=""))
        case "acquisition_channel":
            no_channel = Q(acquisition_channel__isnull=True)
            return _choice_q("acquisition_channel__slug", op, value, empty=no_channel)
        case "first_seen_at":
            return _moment_q(field, op, value, clock)
        case "stage":
            return _choice_q("stage", op, value)
        case "role":
            return _has(op, PersonRole.objects.filter(role=value))
        case "tag":
            return _has(op, PersonTag.objects.filter(tag__name__iexact=value))
        case "custom_field":
            return _custom_q(rule["key"], op, value, clock)
        case "activity":
            return _activity_q(rule["kind"], op, value, clock)
    # Fields other apps registered (orders, scores, lead scores).
    return COMPILERS[field](op, value, clock)


def compile_group(group: dict[str, Any], clock: Clock) -> Q:
    # Tag (or role) tests joined so that one subquery can answer them all, "has A or has
    # B" under "any" and "has not A and has not B" under "all", become one test for any of
    # the names. On PostgreSQL an OR of two EXISTS is a hashed lookup per person, for
    # every person; one EXISTS is a join with the tagged people (the "subscribers" list at
    # 1,000,000 people, bench/WORKSPACE.md).
    op = "has" if group["match"] == "any" else "has_not"
    joined: dict[str, list[str]] = {"tag": [], "role": []}
    for entry in group["rules"]:
        if "rules" not in entry and entry["field"] in joined and entry["op"] == op:
            joined[entry["field"]].append(entry["value"])
    parts = []
    merged: set[str] = set()
    for entry in group["rules"]:
        if "rules" in entry:
            parts.append(compile_group(entry, clock))
        elif entry["field"] in joined and entry["op"] == op and len(joined[entry["field"]]) > 1:
            if entry["field"] not in merged:
                merged.add(entry["field"])
                parts.append(_has(op, _holding_any(entry["field"], joined[entry["field"]])))
        else:
            parts.append(_compile_rule(entry, clock))
    if not parts:
        return Q()
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part if group["match"] == "all" else combined | part
    return combined


def _holding_any(field: str, names: list[str]) -> QuerySet[Any]:
    """The tag rows for any of the tag ``names`` (any case), or the role rows for any of
    the roles, as the single rules compile them one by one."""
    if field == "role":
        return PersonRole.objects.filter(role__in=names)
    any_name = Q()
    for name in names:
        any_name |= Q(tag__name__iexact=name)
    return PersonTag.objects.filter(any_name)
