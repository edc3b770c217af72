"""Segment rules for people: plain-words summaries and the editor's description of the
registry (what the rule editor's script offers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from thrive.contacts.models import ActivityKind
from thrive.core import business

from .registry import (
    ANY_KIND,
    CUSTOM_FIELD_OPS,
    FIELDS,
    MAX_DEPTH,
    MAX_RULES,
    Field,
    Operator,
    References,
    ValueKind,
)


@dataclass
class Summary:
    """A group or rule in plain words; a group's entries are its ``children``."""

    text: str
    children: list[Summary]
    match: str = ""  # "all" or "any" for groups, "" for rules


def _join(words: list[str], last: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


def _value_words(
    field: Field, op: Operator, value: Any, options: list[tuple[str, str]] | None
) -> str:
    labels = dict(options or [])
    match op.value:
        case ValueKind.NONE:
            return ""
        case ValueKind.TEXT:
            return f"“{value}”"
        case ValueKind.CHOICE:
            return labels.get(value, value)
        case ValueKind.CHOICES:
            return _join([labels.get(v, v) for v in value], "or")
        case ValueKind.CODES:
            return _join(list(value), "or")
        case ValueKind.DATE:
            return value
        case ValueKind.DATE_RANGE:
            return f"{value[0]} and {value[1]}"
        case ValueKind.DAYS:
            days = "1 day" if value == 1 else f"{value:,} days"
            return f"{days} ago" if op.name == "more_than_days_ago" else days
        case ValueKind.PROBABILITY:
            return f"{value * 100:.4g}%"
    if field.money:
        return f"{_number(value)} {business.currency()}"
    return _number(value)


def _with_article(label: str) -> str:
    return f"an {label}" if label[:1] in "aeiou" else f"a {label}"


def _rule_words(rule: dict[str, Any], refs: References) -> str:
    field = FIELDS[rule["field"]]
    op = field.operator(rule["op"])
    assert op is not None  # noqa: S101 - rules are validated before they are described
    value: Any = rule.get("value")
    if field.name == "activity":
        kind = rule["kind"]
        what = (
            "any activity" if kind == ANY_KIND else _with_article(ActivityKind(kind).label.lower())
        )
        days = _value_words(field, op, value, None)
        return {
            "within_last_days": f"Had {what} in the last {days}",
            "not_within_last_days": f"Had no {what.removeprefix('a ').removeprefix('an ')}"
            f" in the last {days}",
            "ever": f"Has had {what}",
            "never": f"Never had {what}",
        }[op.name]
    if field.name in ("role", "tag"):
        noun = "role" if field.name == "role" else "tag"
        shown = refs.label("role", value) if field.name == "role" else f"“{value}”"
        missing = field.name == "tag" and value.lower() not in refs.tags
        note = " (no such tag now)" if missing else ""
        verb = "Has" if op.name == "has" else "Does not have"
        return f"{verb} the {noun} {shown}{note}"
    label, options = field.label, None
    if field.name == "custom_field":
        definition = refs.custom_fields.get(rule["key"])
        label = f"{definition.label if definition else rule['key']} (custom field)"
        if definition is None:
            label += " (no such field now)"
    elif field.options:
        options = refs.options(field.options)
    words = _value_words(field, op, value, options)
    return f"{label} {op.label} {words}".rstrip()


def describe_rules(rules: dict[str, Any], *, references: References | None = None) -> Summary:
    """Cleaned ``rules`` as a tree of plain-words sentences, for people to read.

    Uses at most one query each for tags, channels and custom fields (their names).
    """
    refs = references or References()

    def group(node: dict[str, Any]) -> Summary:
        children = [
            group(entry) if "rules" in entry else Summary(_rule_words(entry, refs), [])
            for entry in node["rules"]
        ]
        if not children:
            return Summary("Everyone (no rules yet)", [], node["match"])
        text = "All of these are true:" if node["match"] == "all" else "Any of these is true:"
        return Summary(text, children, node["match"])

    return group(rules)


def summary_text(rules: dict[str, Any], *, references: References | None = None) -> str:
    """Cleaned ``rules`` as one sentence, nested groups in parentheses."""

    def flat(node: Summary, top: bool) -> str:
        if not node.children:
            return node.text
        parts = [flat(child, False) for child in node.children]
        joined = f" {'and' if node.match == 'all' else 'or'} ".join(parts)
        return joined if top or len(parts) == 1 else f"({joined})"

    return flat(describe_rules(rules, references=references), True)


def editor_registry(*, references: References | None = None) -> dict[str, Any]:
    """Everything the rule editor's script needs to offer valid choices, as JSON data:
    fields with their operators and value kinds, the option lists, the custom fields
    with their types, and the limits. Three queries (tags, channels, custom fields)."""
    refs = references or References()
    fields = [
        {
            "name": f.name,
            "label": f.label,
            "group": f.group,
            "param": f.param,
            "options": f.options,
            "ops": [
                {"name": o.name, "label": o.label, "value": o.value.value} for o in f.operators
            ],
        }
        for f in FIELDS.values()
    ]
    option_names = {f.options for f in FIELDS.values() if f.options}
    return {
        "fields": fields,
        "options": {name: refs.options(name) for name in sorted(option_names)},
        "custom_fields": [
            {"key": d.key, "label": d.label, "type": d.field_type, "choices": d.choices or []}
            for d in refs.custom_fields.values()
        ],
        "custom_field_ops": {kind: [o.name for o in ops] for kind, ops in CUSTOM_FIELD_OPS.items()},
        "limits": {"depth": MAX_DEPTH, "rules": MAX_RULES},
        "currency": business.currency(),
    }
