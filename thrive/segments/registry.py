"""What segment rules can test: fields, their operators and value kinds, the option
lists values come from, and the business's own vocabulary (tags, channels, custom fields).

The rule format itself is documented in :mod:`thrive.segments.rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from thrive.contacts.models import (
    AcquisitionChannel,
    ActivityKind,
    CustomFieldDefinition,
    CustomFieldEntity,
    CustomFieldType,
    RelationshipRole,
    Stage,
    Tag,
)

if TYPE_CHECKING:
    from .sql import Clock

MAX_DEPTH = 4
MAX_RULES = 50
MAX_LIST = 100
MAX_TEXT = 200
MAX_DAYS = 36_500
# Far beyond any real threshold, and small enough to stay exact in a float.
MAX_NUMBER = 1e12


class ValueKind(StrEnum):
    """What an operator's value is: how it is validated and which widget edits it."""

    NONE = "none"  # no value
    TEXT = "text"  # a non-empty string
    CHOICE = "choice"  # one option
    CHOICES = "choices"  # a non-empty list of options
    CODES = "codes"  # a non-empty list of ISO country codes
    NUMBER = "number"  # any finite number
    COUNT = "count"  # a whole number ≥ 0
    PROBABILITY = "probability"  # a number from 0 to 1
    SCORE = "score"  # a whole number from 1 to 5
    DATE = "date"  # "YYYY-MM-DD"
    DATE_RANGE = "date_range"  # ["YYYY-MM-DD", "YYYY-MM-DD"], first ≤ second
    DAYS = "days"  # a whole number of days, 1..MAX_DAYS


@dataclass(frozen=True)
class Operator:
    name: str
    label: str  # plain words, e.g. "is any of"
    value: ValueKind = ValueKind.NONE


@dataclass(frozen=True)
class Field:
    """One thing rules can test. ``options`` names the option list that CHOICE/CHOICES
    values come from (see :meth:`References.options`); ``param`` is the extra key the
    rule needs (``key`` or ``kind``)."""

    name: str
    label: str
    group: str
    operators: tuple[Operator, ...]
    options: str | None = None
    param: str | None = None
    money: bool = False  # values are amounts in the business's currency

    def operator(self, name: str) -> Operator | None:
        return next((op for op in self.operators if op.name == name), None)


def text_ops() -> tuple[Operator, ...]:
    return (
        Operator("equals", "is", ValueKind.TEXT),
        Operator("not_equals", "is not", ValueKind.TEXT),
        Operator("contains", "contains", ValueKind.TEXT),
        Operator("not_contains", "does not contain", ValueKind.TEXT),
        Operator("starts_with", "starts with", ValueKind.TEXT),
        Operator("is_empty", "is empty"),
        Operator("is_not_empty", "is not empty"),
    )


def compare_ops(kind: ValueKind, *, equality: bool = True) -> tuple[Operator, ...]:
    ops = (
        Operator("eq", "is", kind),
        Operator("ne", "is not", kind),
        Operator("gt", "is more than", kind),
        Operator("gte", "is at least", kind),
        Operator("lt", "is less than", kind),
        Operator("lte", "is at most", kind),
    )
    # Equality of computed probabilities is meaningless, so those fields only order.
    return ops if equality else ops[2:]


def date_ops(*, empty: bool = False) -> tuple[Operator, ...]:
    ops: tuple[Operator, ...] = (
        Operator("before", "is before", ValueKind.DATE),
        Operator("after", "is after", ValueKind.DATE),
        Operator("between", "is between", ValueKind.DATE_RANGE),
        Operator("within_last_days", "is within the last", ValueKind.DAYS),
        Operator("more_than_days_ago", "is more than", ValueKind.DAYS),
    )
    if empty:
        ops += (Operator("is_empty", "is empty"), Operator("is_not_empty", "is not empty"))
    return ops


def choice_ops(*, empty: bool = False) -> tuple[Operator, ...]:
    ops: tuple[Operator, ...] = (
        Operator("in", "is any of", ValueKind.CHOICES),
        Operator("not_in", "is none of", ValueKind.CHOICES),
    )
    if empty:
        ops += (Operator("is_empty", "is empty"), Operator("is_not_empty", "is not empty"))
    return ops


HAS_OPS = (
    Operator("has", "has", ValueKind.CHOICE),
    Operator("has_not", "does not have", ValueKind.CHOICE),
)
ACTIVITY_OPS = (
    Operator("within_last_days", "in the last", ValueKind.DAYS),
    Operator("not_within_last_days", "not in the last", ValueKind.DAYS),
    Operator("ever", "ever"),
    Operator("never", "never"),
)

# A custom field's operators depend on its type; the union is what the field accepts
# before the definition is known (see validate_rules(check_references=False)).
CUSTOM_FIELD_OPS: dict[str, tuple[Operator, ...]] = {
    CustomFieldType.TEXT: text_ops(),
    CustomFieldType.NUMBER: (
        *compare_ops(ValueKind.NUMBER),
        Operator("is_empty", "is empty"),
        Operator("is_not_empty", "is not empty"),
    ),
    CustomFieldType.DATE: date_ops(empty=True),
    CustomFieldType.CHOICE: choice_ops(empty=True),
}


def _union(groups: Iterable[tuple[Operator, ...]]) -> tuple[Operator, ...]:
    seen: dict[str, Operator] = {}
    for group in groups:
        for op in group:
            seen.setdefault(op.name, op)
    return tuple(seen.values())


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("first_name", "First name", "Person", text_ops()),
        Field("last_name", "Last name", "Person", text_ops()),
        Field("email", "Email", "Person", text_ops()),
        Field("city", "City", "Person", text_ops()),
        Field(
            "country",
            "Country",
            "Person",
            (
                Operator("in", "is any of", ValueKind.CODES),
                Operator("not_in", "is none of", ValueKind.CODES),
                Operator("is_empty", "is empty"),
                Operator("is_not_empty", "is not empty"),
            ),
        ),
        Field(
            "acquisition_channel",
            "Acquisition channel",
            "Person",
            choice_ops(empty=True),
            options="channel",
        ),
        Field("first_seen_at", "First seen", "Person", date_ops()),
        Field("stage", "Stage", "Relationship", choice_ops(), options="stage"),
        Field("role", "Role", "Relationship", HAS_OPS, options="role"),
        Field("tag", "Tag", "Relationship", HAS_OPS, options="tag"),
        Field(
            "custom_field",
            "Custom field",
            "Custom fields",
            _union(CUSTOM_FIELD_OPS.values()),
            param="key",
        ),
        Field("activity", "Activity", "Activity", ACTIVITY_OPS, options="activity", param="kind"),
    )
}

ANY_KIND = "any"
STATIC_OPTIONS: dict[str, list[tuple[str, str]]] = {
    "stage": list(Stage.choices),
    "role": list(RelationshipRole.choices),
    "activity": [(ANY_KIND, "any activity"), *ActivityKind.choices],
}

# Option lists read from the database when first used (products, categories): name ->
# a function returning (value, label) pairs. Registered by the apps that own the rows.
OPTION_SOURCES: dict[str, Callable[[], list[tuple[str, str]]]] = {}

# How a registered field's rule becomes a condition on Person: (op, value, clock) -> Q.
FieldCompiler = Callable[[str, Any, "Clock"], Q]
COMPILERS: dict[str, FieldCompiler] = {}


def register_field(
    field: Field,
    compile: FieldCompiler,
    *,
    options: dict[str, list[tuple[str, str]]] | None = None,
    option_sources: dict[str, Callable[[], list[tuple[str, str]]]] | None = None,
) -> None:
    """Let rules test ``field``; an app calls this from its ``AppConfig.ready``.

    ``compile`` turns a cleaned rule's operator and value into one SQL condition on
    Person (an ``EXISTS`` or ``IN`` subquery keyed on the person, see :mod:`.sql`);
    ``options`` adds the option lists the field's choices come from; ``option_sources``
    adds lists read from the database (once per :class:`References`).
    """
    FIELDS[field.name] = field
    COMPILERS[field.name] = compile
    STATIC_OPTIONS.update(options or {})
    OPTION_SOURCES.update(option_sources or {})


class References:
    """The business's own vocabulary that rules refer to: tags, acquisition channels and
    custom fields. Each is loaded with one query, on first use, and then kept."""

    def __init__(self) -> None:
        self._tags: dict[str, str] | None = None
        self._channels: dict[str, str] | None = None
        self._custom: dict[str, CustomFieldDefinition] | None = None
        self._sourced: dict[str, list[tuple[str, str]]] = {}

    @property
    def tags(self) -> dict[str, str]:
        """Lower-cased tag name → the tag's name as written."""
        if self._tags is None:
            names = Tag.objects.order_by("name").values_list("name", flat=True)
            self._tags = {name.lower(): name for name in names}
        return self._tags

    @property
    def channels(self) -> dict[str, str]:
        """Channel slug → channel name."""
        if self._channels is None:
            rows = AcquisitionChannel.objects.order_by("name").values_list("slug", "name")
            self._channels = dict(rows)
        return self._channels

    @property
    def custom_fields(self) -> dict[str, CustomFieldDefinition]:
        """Key → definition, for people's custom fields."""
        if self._custom is None:
            definitions = CustomFieldDefinition.objects.filter(entity=CustomFieldEntity.PERSON)
            self._custom = {d.key: d for d in definitions.order_by("label")}
        return self._custom

    def options(self, name: str) -> list[tuple[str, str]]:
        """The (value, label) pairs of an option list named by ``Field.options``."""
        if name == "tag":
            return [(n, n) for n in self.tags.values()]
        if name == "channel":
            return list(self.channels.items())
        if name in OPTION_SOURCES:
            if name not in self._sourced:
                self._sourced[name] = OPTION_SOURCES[name]()
            return self._sourced[name]
        return STATIC_OPTIONS[name]

    def label(self, name: str, value: str) -> str:
        return dict(self.options(name)).get(value, value)
