"""Which activities start which workflows: a pure test on one activity's kind and data.

The engine loads the active workflows once per batch, groups them by the activity kind
they listen to (:func:`listened_kind`) and calls :func:`matches` in Python, so matching
costs no queries per activity.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from thrive.contacts.models import ActivityKind

from .definition import IDEA_STATUS_KIND
from .models import TriggerKind, Workflow

KIND_OF_TRIGGER: dict[str, str] = {
    TriggerKind.STAGE_CHANGED: ActivityKind.STAGE_CHANGE,
    TriggerKind.TAG_ADDED: ActivityKind.TAG_CHANGE,
    TriggerKind.TAG_REMOVED: ActivityKind.TAG_CHANGE,
    TriggerKind.ORDER_PLACED: ActivityKind.ORDER,
    TriggerKind.FORM_SUBMITTED: ActivityKind.FORM_SUBMISSION,
    TriggerKind.SURVEY_ANSWERED: ActivityKind.SURVEY_ANSWER,
    TriggerKind.IDEA_STATUS_CHANGED: IDEA_STATUS_KIND,
    TriggerKind.DEAL_STAGE_CHANGED: ActivityKind.DEAL,
    TriggerKind.DEAL_WON: ActivityKind.DEAL,
    TriggerKind.DEAL_LOST: ActivityKind.DEAL,
    TriggerKind.PRODUCT_BOUGHT: ActivityKind.ORDER,
}


def listened_kind(workflow: Workflow) -> str | None:
    """The activity kind a workflow's trigger listens to; None for scanned/manual ones."""
    return KIND_OF_TRIGGER.get(workflow.trigger)


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _in_range(value: Any, low: Any, high: Any) -> bool:
    number = _number(value)
    if number is None:
        return False
    return (low is None or number >= Decimal(str(low))) and (
        high is None or number <= Decimal(str(high))
    )


def matches(workflow: Workflow, kind: str, data: dict[str, Any]) -> bool:
    """Does an activity of ``kind`` with ``data`` fire ``workflow``'s trigger?"""
    if listened_kind(workflow) != kind:
        return False
    cfg = workflow.trigger_config or {}
    data = data or {}
    for key, expected in (cfg.get("data") or {}).items():
        if data.get(key) != expected:
            return False
    trigger = workflow.trigger
    if trigger == TriggerKind.STAGE_CHANGED:
        # An order records no "to" in a refund or void: those are not stage changes.
        return (not cfg.get("to") or data.get("to") in cfg["to"]) and (
            not cfg.get("from") or data.get("from") in cfg["from"]
        )
    if trigger in {TriggerKind.TAG_ADDED, TriggerKind.TAG_REMOVED}:
        action = "added" if trigger == TriggerKind.TAG_ADDED else "removed"
        tag = str(cfg.get("tag", "")).strip().lower()
        return data.get("action") == action and str(data.get("tag", "")).lower() == tag
    if trigger == TriggerKind.ORDER_PLACED:
        # The order log also records refunds and voids of an order: only placements count.
        if "refund" in data or data.get("voided") or "total" not in data:
            return False
        return cfg.get("min_total") is None or _in_range(data["total"], cfg["min_total"], None)
    if trigger == TriggerKind.PRODUCT_BOUGHT:
        # Only a completed order (placed paid, or a pending one paid later) names its
        # products; refunds and voids never do.
        skus = data.get("skus")
        if not isinstance(skus, list) or "refund" in data or data.get("voided"):
            return False
        product = str(cfg.get("product") or "").strip()
        return bool(skus) and (not product or product in skus)
    if trigger == TriggerKind.FORM_SUBMITTED:
        return not cfg.get("form") or str(data.get("form", "")) == str(cfg["form"])
    if trigger == TriggerKind.SURVEY_ANSWERED:
        if cfg.get("survey") is not None and str(data.get("survey")) != str(cfg["survey"]):
            return False
        low, high = cfg.get("score_min"), cfg.get("score_max")
        return (low is None and high is None) or _in_range(data.get("score"), low, high)
    if trigger == TriggerKind.IDEA_STATUS_CHANGED:
        return not cfg.get("status") or data.get("status") == cfg["status"]
    if trigger in DEAL_TRIGGERS:
        return _deal_matches(trigger, cfg, data)
    return False


DEAL_TRIGGERS = {TriggerKind.DEAL_STAGE_CHANGED, TriggerKind.DEAL_WON, TriggerKind.DEAL_LOST}


def _deal_matches(trigger: str, cfg: dict[str, Any], data: dict[str, Any]) -> bool:
    """A deal activity records ``from`` and ``to`` (stage ids; ``from`` is None when the
    deal was opened), ``won``, ``lost``, ``value`` and ``reason``."""
    if trigger == TriggerKind.DEAL_STAGE_CHANGED:
        # Opening a deal is not a move.
        if data.get("from") is None:
            return False
        return not cfg.get("deal_stage") or str(data.get("to")) == str(cfg["deal_stage"])
    if trigger == TriggerKind.DEAL_WON:
        if not data.get("won"):
            return False
        return cfg.get("min_value") is None or _in_range(data.get("value"), cfg["min_value"], None)
    if not data.get("lost"):
        return False
    wanted = str(cfg.get("reason") or "").strip().lower()
    return not wanted or wanted in str(data.get("reason", "")).lower()
