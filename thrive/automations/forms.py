"""The workflow editor's form: validation of the shape only; the service checks meaning."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .models import Reentry, TriggerKind

STEPS_HELP = (
    "A JSON list; the first entry is step 1. See “Steps you can use” below for each kind "
    "and its settings."
)


def _json(text: str, *, default: Any, what: str) -> Any:
    if not text.strip():
        return default
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{what} are not valid JSON: {exc.msg} (line {exc.lineno})."
        ) from None


class WorkflowForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    trigger = forms.ChoiceField(choices=TriggerKind.choices)
    trigger_config = forms.CharField(
        required=False, label="Trigger settings (JSON)", widget=forms.Textarea(attrs={"rows": 3})
    )
    reentry = forms.ChoiceField(choices=Reentry.choices, label="Can people enter again?")
    reentry_days = forms.IntegerField(required=False, min_value=1, label="After how many days")
    # Written by the segment rule builder on the page; empty means no goal.
    goal = forms.CharField(
        required=False,
        label="Goal (optional)",
        help_text="People leave the workflow as soon as they match these rules.",
        widget=forms.HiddenInput,
    )
    steps = forms.CharField(label="Steps (JSON)", help_text=STEPS_HELP, widget=forms.Textarea)

    def clean_trigger_config(self) -> Any:
        return _json(self.cleaned_data["trigger_config"], default={}, what="Trigger settings")

    def clean_goal(self) -> Any:
        return _json(self.cleaned_data["goal"], default={}, what="The goal rules")

    def clean_steps(self) -> Any:
        return _json(self.cleaned_data["steps"], default=[], what="The steps")


class EnrollForm(forms.Form):
    person = forms.CharField(label="Person (email or id)", max_length=254)


class AsOfForm(forms.Form):
    """The day a figure was counted up to (excluded), from a dashboard link."""

    as_of = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
