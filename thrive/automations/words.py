"""Workflows in plain words: triggers, steps, and why the engine did something."""

from __future__ import annotations

from typing import Any

from thrive.accounts.models import Associate
from thrive.commerce.models import DealStage
from thrive.contacts.models import Stage
from thrive.outreach.models import EmailTemplate, Sequence
from thrive.segments.models import Segment
from thrive.segments.rules import References, summary_text
from thrive.tasks.models import TaskKind
from thrive.voice.models import Survey

from . import trigger_options
from .definition import END, IDEA_STATUS_KIND, exits_of
from .models import StepKind, TriggerKind, Workflow


class Names:
    """Names of the things steps refer to (associates, templates, segments); each kind
    is loaded with one query on first use."""

    def __init__(self) -> None:
        self._associates: dict[int, str] | None = None
        self._segments: dict[int, str] | None = None
        self._templates: dict[int, str] | None = None
        self._surveys: dict[int, str] | None = None
        self._sequences: dict[int, str] | None = None
        self._references: Any = None
        self._offered: dict[tuple[str, str], dict[str, str]] = {}

    def associate(self, pk: Any) -> str:
        if self._associates is None:
            self._associates = {
                a.pk: a.get_full_name() or a.username for a in Associate.objects.all()
            }
        return self._associates.get(pk, f"associate #{pk}") if pk else "the owner"

    def segment(self, pk: Any) -> str:
        if self._segments is None:
            self._segments = dict(Segment.objects.values_list("pk", "name"))
        return self._segments.get(pk, f"segment #{pk}")

    def template(self, pk: Any) -> str:
        if self._templates is None:
            self._templates = {}
            try:
                self._templates = {t.pk: str(t) for t in EmailTemplate.objects.all()}
            except ImportError:  # outreach is a separate app and may not be installed yet
                pass
        return self._templates.get(pk, f"email template #{pk}")

    def survey(self, pk: Any) -> str:
        if self._surveys is None:
            self._surveys = {}
            try:
                self._surveys = dict(Survey.objects.values_list("pk", "name"))
            except ImportError:  # customer voice is a separate app
                pass
        return self._surveys.get(pk, f"survey #{pk}")

    def sequence(self, pk: Any) -> str:
        if self._sequences is None:
            self._sequences = {}
            try:
                self._sequences = dict(Sequence.objects.values_list("pk", "name"))
            except ImportError:
                pass
        return self._sequences.get(pk, f"sequence #{pk}")

    def offered(self, trigger: str, key: str, value: Any) -> str:
        """A trigger setting's value in the words its registered provider gives it (a
        form's name for its slug); the value itself when none is registered or it is gone."""
        found = trigger_options.provider(trigger, key)
        if found is None:
            return str(value)
        if (trigger, key) not in self._offered:
            self._offered[(trigger, key)] = dict(found.options())
        return self._offered[(trigger, key)].get(str(value), str(value))

    def rules(self, rules: dict[str, Any]) -> str:
        if self._references is None:
            self._references = References()
        return summary_text(rules, references=self._references)


def _stages(values: list[str]) -> str:
    labels = [Stage(v).label.lower() for v in values]
    return " or ".join(labels)


def _deal_stage(pk: Any) -> str:
    text = str(pk)
    if not text.isdigit():
        return f"stage #{pk}"
    name = DealStage.objects.filter(pk=int(text)).values_list("name", flat=True).first()
    return name or f"stage #{pk}"


def describe_trigger(workflow: Workflow, names: Names | None = None) -> str:
    names = names or Names()
    cfg = workflow.trigger_config or {}
    trigger = workflow.trigger
    if trigger == TriggerKind.STAGE_CHANGED:
        text = "When someone's stage changes"
        if cfg.get("to"):
            text = f"When someone becomes a {_stages(cfg['to'])}"
        if cfg.get("from"):
            text += f" from {_stages(cfg['from'])}"
    elif trigger == TriggerKind.TAG_ADDED:
        text = f"When someone is tagged “{cfg.get('tag', '')}”"
    elif trigger == TriggerKind.TAG_REMOVED:
        text = f"When the tag “{cfg.get('tag', '')}” is removed from someone"
    elif trigger == TriggerKind.ORDER_PLACED:
        text = "When someone places an order"
        if cfg.get("min_total") is not None:
            text += f" of at least {cfg['min_total']}"
    elif trigger == TriggerKind.PRODUCT_BOUGHT:
        text = (
            f"When someone buys {cfg['product']}"
            if cfg.get("product")
            else "When someone buys a product"
        )
    elif trigger == TriggerKind.FORM_SUBMITTED:
        text = (
            f"When someone submits the form “{names.offered(trigger, 'form', cfg['form'])}”"
            if cfg.get("form")
            else ("When someone submits a form")
        )
    elif trigger == TriggerKind.SURVEY_ANSWERED:
        text = "When someone answers a survey"
        if cfg.get("score_min") is not None or cfg.get("score_max") is not None:
            low, high = cfg.get("score_min", "any"), cfg.get("score_max", "any")
            text += f" with a score from {low} to {high}"
    elif trigger == TriggerKind.IDEA_STATUS_CHANGED:
        text = "When an idea someone is involved in changes status"
        if cfg.get("status"):
            text += f" to “{cfg['status']}”"
    elif trigger == TriggerKind.DATE_ANNIVERSARY:
        what = cfg.get("field", "")
        label = "their first contact" if what == "first_seen_at" else f"their {what}"
        text = f"On the anniversary of {label}"
    elif trigger == TriggerKind.SEGMENT_ENTERED:
        text = f"When someone enters the segment “{names.segment(cfg.get('segment'))}”"
    elif trigger == TriggerKind.SEGMENT_LEFT:
        text = f"When someone leaves the segment “{names.segment(cfg.get('segment'))}”"
    elif trigger == TriggerKind.DEAL_STAGE_CHANGED:
        text = "When someone's deal moves to another stage"
        if cfg.get("deal_stage"):
            text = f"When someone's deal moves to “{_deal_stage(cfg['deal_stage'])}”"
    elif trigger == TriggerKind.DEAL_WON:
        text = "When someone's deal is won"
        if cfg.get("min_value") is not None:
            text += f" with a value of at least {cfg['min_value']}"
    elif trigger == TriggerKind.DEAL_LOST:
        text = "When someone's deal is lost"
        if cfg.get("reason"):
            text += f" for a reason mentioning “{cfg['reason']}”"
    else:
        text = "When an associate enrols someone by hand"
    if cfg.get("data"):
        pairs = ", ".join(f"{k} = {v}" for k, v in cfg["data"].items())
        text += f" (with {pairs})"
    return text


def _duration(cfg: dict[str, Any]) -> str:
    parts = []
    for key in ("days", "hours", "minutes"):
        value = cfg.get(key)
        if value:
            unit = key[:-1] if value == 1 else key
            parts.append(f"{value:g} {unit}")
    return " ".join(parts) or "a moment"


def _goes(target: Any) -> str:
    return "the end" if target == END else f"step {target}"


def _exits(position: int, kind: str, cfg: dict[str, Any], count: int) -> str:
    """Where each exit leads, mentioned only when it is not simply the next step."""
    words = []
    for exit_name in exits_of(kind):
        target = cfg.get(exit_name)
        if target is None or target == position + 1:
            continue
        label = {"next": "then", "yes": "if yes", "no": "if not", "matched": "if it happens",
                 "timeout": "if time runs out", "sent": "if sent",
                 "dismissed": "if dismissed"}[exit_name]  # fmt: skip
        words.append(f"{label} go to {_goes(target)}")
    return f" ({'; '.join(words)})" if words else ""


def describe_step(position: int, kind: str, cfg: dict[str, Any], names: Names, count: int) -> str:
    """One step as a sentence, e.g. "Wait 7 days" or "If they are in “VIP”: …"."""
    if kind == StepKind.CONDITION:
        if "segment" in cfg:
            test = f"they are in the segment “{names.segment(cfg['segment'])}”"
        else:
            test = f"they match: {names.rules(cfg.get('rules', {}))}"
        yes = cfg.get("yes", position + 1)
        no = cfg.get("no", position + 1)
        return f"If {test}, go to {_goes(yes)}; otherwise go to {_goes(no)}"
    if kind == StepKind.WAIT:
        text = f"Wait {_duration(cfg)}"
    elif kind == StepKind.WAIT_UNTIL:
        clock = f"{cfg.get('time')} in their time zone"
        if cfg.get("date"):
            text = f"Wait until {clock} on {cfg['date']}"
        elif cfg.get("after_days"):
            days = cfg["after_days"]
            later = "the next day" if days == 1 else f"{days:g} days later"
            text = f"Wait until {clock}, {later}"
        else:
            text = f"Wait until it is next {clock}"
    elif kind == StepKind.WAIT_EVENT:
        event = str(cfg.get("event", ""))
        event = (
            "an idea status change"
            if event == IDEA_STATUS_KIND
            else f"a new {event.replace('_', ' ')}"
        )
        text = f"Wait up to {cfg.get('timeout_days', 7):g} days for {event}"
    elif kind == StepKind.SEND_EMAIL:
        text = f"Send the email “{names.template(cfg.get('template'))}”"
    elif kind == StepKind.DRAFT_EMAIL:
        text = (
            f"Draft the email “{names.template(cfg.get('template'))}” for "
            f"{names.associate(cfg.get('associate'))} to review and send, waiting up to "
            f"{cfg.get('timeout_days', 3):g} days"
        )
    elif kind == StepKind.SEND_SURVEY:
        text = f"Send the NPS survey “{names.survey(cfg.get('survey'))}”"
    elif kind == StepKind.ENROLL_SEQUENCE:
        text = f"Enrol them in the email sequence “{names.sequence(cfg.get('sequence'))}”"
    elif kind == StepKind.ADD_TAG:
        text = f"Tag them “{cfg.get('tag')}”"
    elif kind == StepKind.REMOVE_TAG:
        text = f"Remove the tag “{cfg.get('tag')}”"
    elif kind == StepKind.CHANGE_STAGE:
        text = (
            f"Move them to {Stage(cfg['stage']).label}"
            if cfg.get("stage") in Stage.values
            else "Change the stage"
        )
    elif kind == StepKind.CREATE_TASK:
        task_kind = TaskKind(cfg.get("task_kind", TaskKind.FOLLOW_UP)).label.lower()
        text = (
            f"Create a task ({task_kind}) for {names.associate(cfg.get('associate'))}: "
            f"“{cfg.get('title')}”"
        )
        if cfg.get("due_in_days") is not None:
            text += f", due in {cfg['due_in_days']:g} days"
    elif kind == StepKind.NOTIFY:
        text = f"Notify {names.associate(cfg.get('associate'))}: “{cfg.get('message')}”"
    elif kind == StepKind.WEBHOOK:
        text = f"Call the webhook {cfg.get('url')}"
    else:
        text = kind
    return text + _exits(position, kind, cfg, count)


def explanation_words(explanation: dict[str, Any]) -> str:
    """An ActionLog's explanation in words: what was done, where, and what let it through.

    E.g. "Tagged “VIP”. Workflow “Welcome”, step 2. Started by: When someone becomes a
    client — “Prospect → Client” (activity #12, 2025-03-01). Step 1 checked whether
    Orders count is more than 2: yes."
    """
    workflow = explanation.get("workflow", {})
    step = explanation.get("step", {})
    parts = [
        str(explanation.get("did", "")).rstrip("."),
        f"Workflow “{workflow.get('name', '?')}”, step {step.get('position', '?')}",
    ]
    trigger = explanation.get("trigger", {})
    if trigger.get("words"):
        started = f"Started by: {trigger['words']}"
        if trigger.get("subject"):
            started += f" — “{trigger['subject']}”"
        if trigger.get("activity"):
            started += f" (activity #{trigger['activity']}, {trigger.get('at', '')})"
        elif trigger.get("at"):
            started += f" ({trigger['at']})"
        parts.append(started)
    for condition in explanation.get("conditions", []):
        verdict = "yes" if condition.get("result") else "no"
        parts.append(f"Step {condition['step']} checked whether {condition['words']}: {verdict}")
    if explanation.get("event"):
        event = str(explanation["event"])
        parts.append(event[:1].upper() + event[1:])
    return ". ".join(p for p in parts if p) + "."
