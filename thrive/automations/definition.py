"""The workflow format: triggers, steps and exits, validated, and read out in words.

Steps
=====
A workflow's steps are a JSON list; the first is step 1. Each entry has a ``kind`` and
its settings. After a step the person goes to ``"next"`` (a step number, or ``"end"``);
without it, to the following step, and past the last step the workflow is complete.
Branching steps name one exit per outcome instead of ``next``:

==============  ====================================================  ======================
kind            settings                                              exits
==============  ====================================================  ======================
condition       ``rules`` (segment rules) or ``segment`` (a saved      ``yes``, ``no``
                segment's id)
wait            ``days``, ``hours``, ``minutes`` (at least one)        ``next``
wait_until      ``time`` "HH:MM" in the person's time zone, and        ``next``
                ``date`` "YYYY-MM-DD" or ``after_days`` (default 0:
                the next time the clock shows ``time``)
wait_event      ``event`` (an activity kind), optional ``data`` to     ``matched``,
                match, ``timeout_days`` (default 7)                    ``timeout``
send_email      ``template`` (an outreach email template id)           ``next``
draft_email     ``template``, ``associate`` (username or id),          ``sent``,
                ``timeout_days`` (default 3)                           ``dismissed``,
                                                                       ``timeout``
add_tag /       ``tag``                                                ``next``
remove_tag
change_stage    ``stage``                                              ``next``
create_task     ``title``, optional ``associate``, ``task_kind``       ``next``
                (call, email, follow_up…), ``due_in_days``
notify          ``associate``, ``message``                             ``next``
webhook         ``url`` (http or https), optional ``attempts``         ``next``
                (default 4)
send_survey     ``survey`` (a customer-voice NPS survey id)            ``next``
enroll_sequence ``sequence`` (an outreach email sequence id)           ``next``
==============  ====================================================  ======================

Exits default to the following step. Titles and messages use the email templates' merge
syntax, e.g. ``Call {{ person.first_name|default:"them" }}`` (any merge field, the same
sandbox).

Triggers
========
``trigger_config`` by trigger: ``stage_changed`` — optional ``to`` and ``from`` (lists of
stages); ``tag_added``/``tag_removed`` — ``tag``; ``order_placed`` — optional
``min_total``; ``form_submitted`` — optional ``form`` (a lead form's slug, one the
forms app lists); ``survey_answered`` — optional
``survey``, ``score_min``, ``score_max``; ``idea_status_changed`` — optional ``status``
(matches activities of kind ``idea_status``, which the ideas app records with
``data.status``); ``date_anniversary`` — ``field``: ``first_seen_at`` or a date custom
field's key; ``segment_entered``/``segment_left`` — ``segment`` (id); ``manual`` — none;
``deal_stage_changed`` — optional ``deal_stage`` (a pipeline stage's id, the stage moved
to); ``deal_won`` — optional ``min_value``; ``deal_lost`` — optional ``reason`` (words the
lost reason contains). Deal triggers enrol the deal's person, or for a deal with only an
organization its primary contact (the first person recorded at it). ``product_bought`` —
optional ``product`` (a catalogue product's SKU; any product if empty), fired when a
completed order containing it is recorded or a pending one is paid.
Every activity trigger also accepts ``data``: keys and values the activity's data must
have.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from thrive.accounts.models import Associate
from thrive.commerce.models import DealStage, Product
from thrive.contacts.models import ActivityKind, Stage
from thrive.outreach.models import Sequence
from thrive.segments.models import Segment
from thrive.segments.rules import validate_rules
from thrive.tasks.models import TaskKind
from thrive.voice.models import IdeaStatus, Survey

from .models import StepKind, TriggerKind
from .trigger_options import unknown_value_errors

END = "end"
MAX_STEPS = 60
TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# The ideas app records status changes of an idea as this activity kind.
IDEA_STATUS_KIND = "idea_status"

EXITS: dict[str, tuple[str, ...]] = {
    StepKind.CONDITION: ("yes", "no"),
    StepKind.WAIT_EVENT: ("matched", "timeout"),
    StepKind.DRAFT_EMAIL: ("sent", "dismissed", "timeout"),
}
SETTINGS: dict[str, set[str]] = {
    StepKind.CONDITION: {"rules", "segment"},
    StepKind.WAIT: {"days", "hours", "minutes"},
    StepKind.WAIT_UNTIL: {"time", "date", "after_days"},
    StepKind.WAIT_EVENT: {"event", "data", "timeout_days"},
    StepKind.SEND_EMAIL: {"template"},
    StepKind.DRAFT_EMAIL: {"template", "associate", "timeout_days"},
    StepKind.ADD_TAG: {"tag"},
    StepKind.REMOVE_TAG: {"tag"},
    StepKind.CHANGE_STAGE: {"stage"},
    StepKind.CREATE_TASK: {"title", "associate", "task_kind", "due_in_days"},
    StepKind.NOTIFY: {"associate", "message"},
    StepKind.WEBHOOK: {"url", "attempts"},
    StepKind.SEND_SURVEY: {"survey"},
    StepKind.ENROLL_SEQUENCE: {"sequence"},
}
TRIGGER_KEYS: dict[str, set[str]] = {
    TriggerKind.STAGE_CHANGED: {"to", "from"},
    TriggerKind.TAG_ADDED: {"tag"},
    TriggerKind.TAG_REMOVED: {"tag"},
    TriggerKind.ORDER_PLACED: {"min_total"},
    TriggerKind.FORM_SUBMITTED: {"form"},
    TriggerKind.SURVEY_ANSWERED: {"survey", "score_min", "score_max"},
    TriggerKind.IDEA_STATUS_CHANGED: {"status"},
    TriggerKind.DATE_ANNIVERSARY: {"field"},
    TriggerKind.SEGMENT_ENTERED: {"segment"},
    TriggerKind.SEGMENT_LEFT: {"segment"},
    TriggerKind.MANUAL: set(),
    TriggerKind.DEAL_STAGE_CHANGED: {"deal_stage"},
    TriggerKind.DEAL_WON: {"min_value"},
    TriggerKind.DEAL_LOST: {"reason"},
    TriggerKind.PRODUCT_BOUGHT: {"product"},
}
SCANNED_TRIGGERS = {
    TriggerKind.DATE_ANNIVERSARY,
    TriggerKind.SEGMENT_ENTERED,
    TriggerKind.SEGMENT_LEFT,
}


def exits_of(kind: str) -> tuple[str, ...]:
    return EXITS.get(kind, ("next",))


def destination(config: dict[str, Any], exit_name: str, position: int) -> int | None:
    """The step number an exit leads to, or None when it ends the workflow."""
    target = config.get(exit_name, position + 1)
    return None if target == END else int(target)


# -- validation -----------------------------------------------------------------------

# The single-brace fields titles used before they shared the email templates' syntax.
OLD_MERGE_FIELD = re.compile(r"\{(first_name|name)\}")
MERGE_FIELD_RENAMES = {"first_name": "first_name", "name": "full_name"}


@dataclass
class _Checker:
    count: int
    associates: dict[str, int]
    errors: list[str] = field(default_factory=list)

    def fail(self, position: int, message: str) -> None:
        self.errors.append(f"Step {position}: {message}")

    def number(self, pos: int, cfg: dict[str, Any], key: str, *, low: float, high: float) -> None:
        value = cfg.get(key)
        if value is None:
            return
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            self.fail(pos, f"“{key}” must be a number from {low:g} to {high:g}.")

    def associate(self, pos: int, cfg: dict[str, Any], *, required: bool) -> None:
        value = cfg.get("associate")
        if value is None or value == "":
            if required:
                self.fail(pos, "name the associate (their username).")
            return
        key = str(value).lower()
        if key not in self.associates:
            self.fail(pos, f"there is no associate “{value}”.")
        else:
            cfg["associate"] = self.associates[key]

    def text(self, pos: int, cfg: dict[str, Any], key: str, *, limit: int) -> None:
        value = cfg.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(pos, f"“{key}” is required.")
        elif len(value) > limit:
            self.fail(pos, f"“{key}” has at most {limit} characters.")

    def merge_text(self, pos: int, cfg: dict[str, Any], key: str, *, limit: int) -> None:
        """Required text in the email templates' merge syntax."""
        self.text(pos, cfg, key, limit=limit)
        value = cfg.get(key)
        if not isinstance(value, str) or not value.strip():
            return
        from thrive.outreach.email_templates.sandbox import check_source

        old = OLD_MERGE_FIELD.search(value)
        if old:
            self.fail(
                pos,
                f"“{key}”: write {{{{ person.{MERGE_FIELD_RENAMES[old.group(1)]} }}}} "
                f"instead of {old.group(0)}.",
            )
        for problem in check_source(value):
            self.fail(pos, f"“{key}”: {problem}")


def _check_step(check: _Checker, pos: int, raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        check.fail(pos, "each step is an object with a “kind”.")
        return None
    cfg = dict(raw)
    kind = cfg.pop("kind", None)
    if kind not in StepKind.values:
        check.fail(pos, f"“kind” must be one of {', '.join(StepKind.values)}.")
        return None
    allowed = SETTINGS[kind] | set(exits_of(kind))
    for key in sorted(set(cfg) - allowed):
        check.fail(pos, f"unknown setting “{key}” for {kind}.")
    for exit_name in exits_of(kind):
        target = cfg.get(exit_name)
        if target is None or target == END:
            continue
        if isinstance(target, bool) or not isinstance(target, int):
            check.fail(pos, f'“{exit_name}” is a step number or "end".')
        elif not 1 <= target <= check.count:
            check.fail(pos, f"“{exit_name}” points to step {target}, which does not exist.")
        elif target == pos:
            check.fail(pos, f"“{exit_name}” cannot point to the step itself.")
    _check_settings(check, pos, kind, cfg)
    return {"kind": kind, **cfg}


def _check_settings(check: _Checker, pos: int, kind: str, cfg: dict[str, Any]) -> None:
    if kind == StepKind.CONDITION:
        _check_condition(check, pos, cfg)
    elif kind == StepKind.WAIT:
        for key in ("days", "hours", "minutes"):
            check.number(pos, cfg, key, low=0, high=3650 if key == "days" else 100_000)
        if not any(cfg.get(k) for k in ("days", "hours", "minutes")):
            check.fail(pos, "say how long to wait (days, hours or minutes).")
    elif kind == StepKind.WAIT_UNTIL:
        if not TIME_RE.match(str(cfg.get("time", ""))):
            check.fail(pos, '“time” is a local time such as "09:00".')
        if "date" in cfg:
            try:
                dt.date.fromisoformat(str(cfg["date"]))
            except ValueError:
                check.fail(pos, '“date” is a day such as "2030-03-09".')
        check.number(pos, cfg, "after_days", low=0, high=3650)
    elif kind == StepKind.WAIT_EVENT:
        if cfg.get("event") not in {*ActivityKind.values, IDEA_STATUS_KIND}:
            check.fail(pos, '“event” is an activity kind such as "order".')
        if not isinstance(cfg.get("data", {}), dict):
            check.fail(pos, "“data” is an object of keys and values to match.")
        check.number(pos, cfg, "timeout_days", low=0.01, high=3650)
    elif kind in {StepKind.SEND_EMAIL, StepKind.DRAFT_EMAIL}:
        if isinstance(cfg.get("template"), bool) or not isinstance(cfg.get("template"), int):
            check.fail(pos, "“template” is the id of an email template.")
        if kind == StepKind.DRAFT_EMAIL:
            check.associate(pos, cfg, required=True)
            check.number(pos, cfg, "timeout_days", low=0.01, high=3650)
    elif kind in {StepKind.ADD_TAG, StepKind.REMOVE_TAG}:
        check.text(pos, cfg, "tag", limit=60)
    elif kind == StepKind.CHANGE_STAGE:
        if cfg.get("stage") not in Stage.values:
            check.fail(pos, f"“stage” is one of {', '.join(Stage.values)}.")
    elif kind == StepKind.CREATE_TASK:
        check.merge_text(pos, cfg, "title", limit=200)
        check.associate(pos, cfg, required=False)
        if cfg.get("task_kind", TaskKind.FOLLOW_UP) not in TaskKind.values:
            check.fail(pos, f"“task_kind” is one of {', '.join(TaskKind.values)}.")
        check.number(pos, cfg, "due_in_days", low=0, high=3650)
    elif kind == StepKind.NOTIFY:
        check.merge_text(pos, cfg, "message", limit=200)
        check.associate(pos, cfg, required=True)
    elif kind == StepKind.WEBHOOK:
        url = str(cfg.get("url", ""))
        if not re.match(r"^https?://[^\s/]+", url) or len(url) > 500:
            check.fail(pos, "“url” is an http:// or https:// address.")
        check.number(pos, cfg, "attempts", low=1, high=10)
    elif kind == StepKind.SEND_SURVEY:
        _check_reference(check, pos, cfg, "survey", survey_exists, "NPS survey")
    elif kind == StepKind.ENROLL_SEQUENCE:
        _check_reference(check, pos, cfg, "sequence", sequence_exists, "email sequence")


def survey_exists(pk: int) -> bool:
    return Survey.objects.filter(pk=pk).exists()


def sequence_exists(pk: int) -> bool:
    return Sequence.objects.filter(pk=pk).exists()


def _check_reference(
    check: _Checker, pos: int, cfg: dict[str, Any], key: str, exists: Any, what: str
) -> None:
    value = cfg.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        check.fail(pos, f"“{key}” is the id of a saved {what}.")
    elif not exists(value):
        check.fail(pos, f"there is no {what} #{value}.")


def _check_condition(check: _Checker, pos: int, cfg: dict[str, Any]) -> None:
    if ("rules" in cfg) == ("segment" in cfg):
        check.fail(pos, "give either “rules” or a “segment” id.")
        return
    if "segment" in cfg:
        if not Segment.objects.filter(pk=cfg["segment"]).exists():
            check.fail(pos, f"there is no segment {cfg['segment']}.")
        return
    try:
        cfg["rules"] = validate_rules(cfg["rules"], check_references=False)
    except ValidationError as exc:
        for message in exc.messages:
            check.fail(pos, f"rules: {message}")


def validate_steps(steps: Any) -> list[dict[str, Any]]:
    """Check a step list; returns it cleaned (associates as ids, rules normalized).

    Raises ValidationError with one "Step N: …" message per problem.
    """
    if not isinstance(steps, list) or not steps:
        raise ValidationError("A workflow needs a list of at least one step.")
    if len(steps) > MAX_STEPS:
        raise ValidationError(f"A workflow has at most {MAX_STEPS} steps.")
    associates: dict[str, int] = {}
    for pk, username in Associate.objects.values_list("pk", "username"):
        associates[str(pk)] = pk
        associates[username.lower()] = pk
    check = _Checker(count=len(steps), associates=associates)
    cleaned = [_check_step(check, pos, raw) for pos, raw in enumerate(steps, start=1)]
    if check.errors:
        raise ValidationError(check.errors)
    return [step for step in cleaned if step is not None]


def validate_trigger(trigger: str, config: Any) -> dict[str, Any]:
    """Check a trigger's settings; returns them cleaned. Raises ValidationError."""
    if trigger not in TriggerKind.values:
        raise ValidationError("Choose a trigger.")
    if not isinstance(config, dict):
        raise ValidationError("Trigger settings are an object.")
    cfg = dict(config)
    known = TRIGGER_KEYS[trigger] | ({"data"} if trigger not in SCANNED_TRIGGERS else set())
    errors = [f"Unknown trigger setting “{k}”." for k in sorted(set(cfg) - known)]
    data = cfg.get("data")
    if data is not None and not isinstance(data, dict):
        errors.append("“data” is an object of keys and values the activity must have.")
    if trigger == TriggerKind.STAGE_CHANGED:
        for key in ("to", "from"):
            value = cfg.get(key, [])
            if isinstance(value, str):
                cfg[key] = value = [value]
            if not isinstance(value, list) or set(value) - set(Stage.values):
                errors.append(f"“{key}” is a list of stages ({', '.join(Stage.values)}).")
    elif trigger in {TriggerKind.TAG_ADDED, TriggerKind.TAG_REMOVED}:
        if not str(cfg.get("tag", "")).strip():
            errors.append("Name the tag.")
    elif trigger in {TriggerKind.SEGMENT_ENTERED, TriggerKind.SEGMENT_LEFT}:
        if not Segment.objects.filter(pk=cfg.get("segment") or 0).exists():
            errors.append("Choose a segment (its id).")
    elif trigger == TriggerKind.DATE_ANNIVERSARY:
        if not str(cfg.get("field", "")).strip():
            errors.append("Name the date: first_seen_at or a date custom field's key.")
    elif trigger == TriggerKind.SURVEY_ANSWERED:
        errors += _survey_trigger_errors(cfg)
    elif trigger == TriggerKind.IDEA_STATUS_CHANGED:
        errors += _idea_trigger_errors(cfg)
    elif trigger == TriggerKind.DEAL_STAGE_CHANGED and cfg.get("deal_stage") not in (None, ""):
        if not DealStage.objects.filter(pk=_int_or_zero(cfg["deal_stage"])).exists():
            errors.append("“deal_stage” is one of the pipeline's stages (its id).")
    elif trigger == TriggerKind.PRODUCT_BOUGHT and str(cfg.get("product") or "").strip():
        cfg["product"] = str(cfg["product"]).strip()
        if not Product.objects.filter(sku=cfg["product"]).exists():
            errors.append(f"There is no product with the SKU “{cfg['product']}”.")
    elif trigger == TriggerKind.DEAL_WON and cfg.get("min_value") is not None:
        value = cfg["min_value"]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            errors.append("“min_value” is a number of at least 0.")
    # Settings whose choices an app above this one registers (a lead form's address).
    errors += unknown_value_errors(trigger, cfg)
    if errors:
        raise ValidationError(errors)
    return cfg


def _int_or_zero(value: Any) -> int:
    text = str(value)
    return int(text) if text.isdigit() else 0


def _survey_trigger_errors(cfg: dict[str, Any]) -> list[str]:
    errors = []
    for key in ("score_min", "score_max"):
        value = cfg.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10
        ):
            errors.append(f"“{key}” is a whole number from 0 to 10.")
    low, high = cfg.get("score_min"), cfg.get("score_max")
    if not errors and low is not None and high is not None and low > high:
        errors.append("“score_min” cannot be above “score_max”.")
    survey = cfg.get("survey")
    if survey is not None and (
        isinstance(survey, bool) or not isinstance(survey, int) or not survey_exists(survey)
    ):
        errors.append(f"There is no NPS survey #{survey}.")
    return errors


def _idea_trigger_errors(cfg: dict[str, Any]) -> list[str]:
    status = cfg.get("status")
    if not status:
        return []
    if status not in IdeaStatus.values:
        return [f"“status” is one of {', '.join(IdeaStatus.values)}."]
    return []
