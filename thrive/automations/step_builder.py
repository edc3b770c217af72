"""The workflow editor's step builder: steps as form rows instead of JSON.

Each step is a row of fields named ``step-<n>-<setting>``: its kind, the settings of
that kind (from :data:`thrive.automations.definition.SETTINGS`) and where each exit
leads. :func:`rows_from_steps` turns a step list into rows to show; :func:`parse` reads
the posted rows back into a step list for the usual validator
(:func:`thrive.automations.definition.validate_steps`), which gives the "Step N: …"
messages. A condition's segment rules are edited with the segment rule builder (a hidden
field holding the rules, which the builder's rows write); choosing a saved segment needs
none. A trigger's "Matching" is rows of key and value.

Adding and removing rows (``step_action`` = ``add`` or ``remove:<n>``) renumbers the
exits that point past the removed step, so the other steps keep their targets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from thrive.accounts.models import Associate
from thrive.commerce.models import DealStage
from thrive.contacts.models import ActivityKind, Stage
from thrive.outreach.models import EmailTemplate, Sequence
from thrive.segments.models import Segment
from thrive.tasks.models import TaskKind
from thrive.voice.models import IdeaStatus, Survey

from . import trigger_options
from .definition import END, IDEA_STATUS_KIND, SETTINGS, exits_of
from .models import StepKind

MAX_ROWS = 60


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    widget: str  # number, text, time, date, url, textarea or a choice list's name
    help: str = ""


FIELDS: dict[str, Field] = {f.key: f for f in (
    Field("segment", "Saved segment", "segment", "or build rules below"),
    Field("rules", "Rules", "rules", "the person goes to “If yes” when they match"),
    Field("days", "Days", "number"),
    Field("hours", "Hours", "number"),
    Field("minutes", "Minutes", "number"),
    Field("time", "Local time", "time", "in the person's time zone"),
    Field("date", "On this day", "date", "optional"),
    Field("after_days", "After this many days", "number", "0: the next time the clock shows it"),
    Field("event", "Wait for", "event"),
    Field("data", "Matching", "pairs", "optional: only events with these values"),
    Field("timeout_days", "Give up after days", "number"),
    Field("template", "Email template", "template"),
    Field("associate", "Associate", "associate"),
    Field("tag", "Tag", "text"),
    Field("stage", "Stage", "stage"),
    Field("title", "Task title", "text", "merge fields as in emails: {{ person.first_name }}"),
    Field("task_kind", "Task kind", "task_kind"),
    Field("due_in_days", "Due in days", "number"),
    Field("message", "Message", "text", "merge fields as in emails: {{ person.full_name }}"),
    Field("url", "Address", "url", "http:// or https://"),
    Field("attempts", "Attempts", "number", "default 4"),
    Field("survey", "NPS survey", "survey"),
    Field("sequence", "Email sequence", "sequence"),
)}  # fmt: skip
# The order settings appear in, per kind.
ORDER = list(FIELDS)
EXIT_LABELS = {
    "next": "Then", "yes": "If yes", "no": "If not", "matched": "If it happens",
    "timeout": "If time runs out", "sent": "If sent", "dismissed": "If dismissed",
}  # fmt: skip
JSON_KEYS = {"rules", "data"}
ID_KEYS = {"segment", "template", "associate", "survey", "sequence", "deal_stage"}


def choices() -> dict[str, list[tuple[str, str]]]:
    """The options of every choice field, read once per page."""
    options: dict[str, list[tuple[str, str]]] = {
        "segment": [(str(pk), name) for pk, name in Segment.objects.values_list("pk", "name")],
        "associate": [
            (str(a.pk), a.get_full_name() or a.username)
            for a in Associate.objects.filter(is_active=True).order_by("username")
        ],
        "stage": [(v, label) for v, label in Stage.choices],
        "task_kind": [(v, label) for v, label in TaskKind.choices],
        "event": [(v, label) for v, label in ActivityKind.choices]
        + [(IDEA_STATUS_KIND, "Idea status change")],
        "template": [],
        "sequence": [],
        "survey": [],
    }
    try:
        options["template"] = [(str(t.pk), str(t)) for t in EmailTemplate.objects.all()]
        options["sequence"] = [(str(pk), n) for pk, n in Sequence.objects.values_list("pk", "name")]
    except ImportError:
        pass
    try:
        options["survey"] = [(str(pk), n) for pk, n in Survey.objects.values_list("pk", "name")]
    except ImportError:
        pass
    return options


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rows_from_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Steps → rows: ``{"kind": …, "values": {setting or exit: text}}``."""
    rows = []
    for step in steps:
        if not isinstance(step, dict):
            continue
        kind = str(step.get("kind", ""))
        values = {k: _text(v) for k, v in step.items() if k != "kind"}
        rows.append({"kind": kind, "values": values, "raw": step})
    return rows


def _number(text: str) -> int | float | str:
    try:
        number = float(text)
    except ValueError:
        return text  # the validator names the step and the setting
    return int(number) if number.is_integer() else number


def _value(key: str, text: str) -> Any:
    if key in JSON_KEYS:
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text  # the validator reports it as the wrong kind of value
    if key in ID_KEYS:
        return int(text) if text.isdigit() else text
    if FIELDS.get(key) and FIELDS[key].widget == "number":
        return _number(text)
    return text


def _pair_value(text: str) -> Any:
    """A matching value as the event data holds it: whole numbers, decimals, true and
    false typed; anything else is text."""
    lowered = text.lower()
    if lowered in {"true", "false"}:
        return lowered == "true"
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def parse_pairs(data: QueryDict, prefix: str) -> dict[str, Any] | str | None:
    """Rows ``<prefix>-key`` / ``<prefix>-value`` as a dict; a value without a name is
    returned as text for the validator to refuse; no rows gives None."""
    keys = data.getlist(f"{prefix}-key")
    values = data.getlist(f"{prefix}-value")
    pairs: dict[str, Any] = {}
    for key, value in zip(keys, values, strict=False):
        key, value = key.strip(), value.strip()
        if not key and not value:
            continue
        if not key:
            return f"a value ({value}) without a name"
        pairs[key] = _pair_value(value)
    return pairs or None


def pair_rows(value: Any) -> list[tuple[str, str]]:
    """Key/value rows to show: the saved ones and one empty row to add another."""
    rows = [(str(k), _text(v)) for k, v in value.items()] if isinstance(value, dict) else []
    return [*rows, ("", "")]


def _exit(text: str) -> int | str | None:
    if not text:
        return None
    if text == END:
        return END
    return int(text) if text.isdigit() else text


def parse(data: QueryDict) -> list[dict[str, Any]]:
    """The posted rows as a step list (unvalidated; empty settings are left out)."""
    count = min(int(data.get("step_count", "0") or 0), MAX_ROWS)
    steps = []
    for n in range(1, count + 1):
        kind = data.get(f"step-{n}-kind", "")
        step: dict[str, Any] = {"kind": kind}
        for key in ORDER:
            if kind in SETTINGS and key in SETTINGS[kind]:
                if FIELDS[key].widget == "pairs":
                    pairs = parse_pairs(data, f"step-{n}-{key}")
                    if pairs is not None:
                        step[key] = pairs
                    continue
                text = data.get(f"step-{n}-{key}", "").strip()
                if text:
                    step[key] = _value(key, text)
        for exit_name in exits_of(kind):
            target = _exit(data.get(f"step-{n}-exit-{exit_name}", "").strip())
            if target is not None:
                step[exit_name] = target
        steps.append(step)
    return steps


def _renumber(steps: list[dict[str, Any]], removed: int) -> list[dict[str, Any]]:
    """Drop step ``removed``; exits to it now go to the following step, later numbers
    shift down by one."""
    out = []
    for position, step in enumerate(steps, start=1):
        if position == removed:
            continue
        step = dict(step)
        for exit_name in exits_of(str(step.get("kind", ""))):
            target = step.get(exit_name)
            if isinstance(target, int) and not isinstance(target, bool):
                if target == removed:
                    step.pop(exit_name)
                elif target > removed:
                    step[exit_name] = target - 1
        out.append(step)
    return out


def apply_action(steps: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    """``add`` appends a wait step; ``remove:<n>`` removes step n."""
    if action == "add" and len(steps) < MAX_ROWS:
        return [*steps, {"kind": StepKind.WAIT, "days": 1}]
    if action.startswith("remove:") and action[7:].isdigit():
        return _renumber(steps, int(action[7:]))
    return steps


def view_rows(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows ready for the template: each setting of the step's kind with its value and
    options, and each exit with the step numbers it may lead to."""
    options = choices()
    count = len(steps)
    out = []
    for n, row in enumerate(rows_from_steps(steps), start=1):
        kind = row["kind"]
        settings = SETTINGS.get(kind, set())
        fields = [
            {"key": key, "id": f"step-{n}-{key}", "label": FIELDS[key].label,
             "widget": FIELDS[key].widget,
             "help": FIELDS[key].help, "value": row["values"].get(key, ""),
             "options": options.get(FIELDS[key].widget),
             "pairs": pair_rows(row["raw"].get(key)) if FIELDS[key].widget == "pairs" else []}
            for key in ORDER if key in settings
        ]  # fmt: skip
        targets = [(str(t), f"step {t}") for t in range(1, count + 1) if t != n]
        exits = [
            {"name": e, "label": EXIT_LABELS[e], "value": row["values"].get(e, ""),
             "following": "the next step" if n < count else "the end", "targets": targets}
            for e in exits_of(kind)
        ]  # fmt: skip
        out.append({"n": n, "kind": kind, "fields": fields, "exits": exits})
    return out


# -- the trigger's settings ---------------------------------------------------------------

TRIGGER_FIELDS: dict[str, Field] = {f.key: f for f in (
    Field("to", "Becomes", "stages", "any stage if none is chosen"),
    Field("from", "From", "stages", "any stage if none is chosen"),
    Field("tag", "Tag", "text"),
    Field("min_total", "Orders of at least", "number", "any order if empty"),
    Field("form", "Form", "text", "e.g. brewing-course (its /f/ address); any form if empty"),
    Field("survey", "Survey", "survey", "any survey if empty"),
    Field("score_min", "Scores from", "number", "0 to 10"),
    Field("score_max", "Scores up to", "number", "e.g. 6 for detractors"),
    Field("status", "New status", "idea_status", "any status if empty"),
    Field("field", "Date", "text", "first_seen_at or a date custom field's key"),
    Field("segment", "Segment", "segment"),
    Field("deal_stage", "Moved to", "deal_stage", "any stage if empty"),
    Field("min_value", "Deals worth at least", "number", "any deal if empty"),
    Field("reason", "Lost reason contains", "text", "any reason if empty"),
    Field("product", "Product (SKU)", "text", "e.g. GRINDER-1; any product if empty"),
    Field("data", "Matching", "pairs", "optional: only events with these values"),
)}  # fmt: skip
LIST_KEYS = {"to", "from"}


def _trigger_keys(trigger: str) -> list[str]:
    from .definition import SCANNED_TRIGGERS, TRIGGER_KEYS

    keys = set(TRIGGER_KEYS.get(trigger, set()))
    if trigger in TRIGGER_KEYS and trigger not in SCANNED_TRIGGERS and trigger != "manual":
        keys.add("data")
    return [key for key in TRIGGER_FIELDS if key in keys]


def parse_trigger(data: QueryDict, trigger: str) -> dict[str, Any]:
    """The posted trigger fields as trigger settings (unvalidated)."""
    config: dict[str, Any] = {}
    for key in _trigger_keys(trigger):
        if key in LIST_KEYS:
            values = [v for v in data.getlist(f"trigger-{key}") if v]
            if values:
                config[key] = values
            continue
        if TRIGGER_FIELDS[key].widget == "pairs":
            pairs = parse_pairs(data, f"trigger-{key}")
            if pairs is not None:
                config[key] = pairs
            continue
        text = data.get(f"trigger-{key}", "").strip()
        if text:
            config[key] = (
                _value(key, text)
                if key in JSON_KEYS | ID_KEYS
                else (_number(text) if TRIGGER_FIELDS[key].widget == "number" else text)
            )
    return config


def trigger_rows(trigger: str, config: Any) -> list[dict[str, Any]]:
    """The chosen trigger's fields with their values and options, for the template."""
    config = config if isinstance(config, dict) else {}
    options = choices()
    try:
        options["idea_status"] = [(v, label) for v, label in IdeaStatus.choices]
    except ImportError:
        options["idea_status"] = []
    options["stages"] = options["stage"]
    options["deal_stage"] = [
        (str(pk), name) for pk, name in DealStage.objects.values_list("pk", "name")
    ]
    rows = []
    for key in _trigger_keys(trigger):
        field = TRIGGER_FIELDS[key]
        value = config.get(key)
        row: dict[str, Any] = {
            "key": key, "id": f"trigger-{key}", "label": field.label, "widget": field.widget,
            "help": field.help,
            "multiple": key in LIST_KEYS,
            "value": _text(value) if key not in LIST_KEYS else "",
            "values": [str(v) for v in value] if isinstance(value, list) else [],
            "options": options.get(field.widget),
            "pairs": pair_rows(value) if field.widget == "pairs" else [],
            "blank": "—",
        }  # fmt: skip
        offered = trigger_options.provider(trigger, key)
        if offered is not None:
            row.update(_offered(offered, row["value"]))
        rows.append(row)
    return rows


def _offered(offered: trigger_options.TriggerOptions, value: str) -> dict[str, Any]:
    """A setting another app lists the choices of, as a choice list; a saved value that
    is no longer offered stays chosen, marked, so opening the editor changes nothing."""
    choices_ = list(offered.options())
    if value and value not in {v for v, _ in choices_}:
        choices_.append((value, f"“{value}” (no such {offered.noun} now)"))
    return {"widget": "choice", "help": "", "options": choices_, "blank": offered.anything}
