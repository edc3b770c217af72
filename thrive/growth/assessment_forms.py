"""Validation of the assessment's forms (no business rules here)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model

from .models import CanvasAction, Quadrant, ResourceKind, ResourceStatus, Stance


class _OwnIds(forms.Form):
    """One page shows several of these forms: each gets its own element ids."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)


class SwotForm(_OwnIds):
    quadrant = forms.ChoiceField(choices=Quadrant.choices)
    text = forms.CharField(max_length=300, label="What")


class SwotEditForm(_OwnIds):
    text = forms.CharField(max_length=300, label="What")


class CompetitorForm(_OwnIds):
    name = forms.CharField(max_length=120, label="Competitor")
    notes = forms.CharField(max_length=2000, required=False, label="How they position themselves")


class FactorForm(_OwnIds):
    name = forms.CharField(max_length=120, label="Factor customers value")
    our_score = forms.IntegerField(label="Our score (0–10)", initial=5, min_value=0, max_value=10)
    action = forms.ChoiceField(choices=CanvasAction.choices, initial="keep", label="Action")


class CashForm(_OwnIds):
    month = forms.DateField(
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    cash_out = forms.DecimalField(
        min_value=0, max_digits=14, decimal_places=2, label="Cash out in the month"
    )
    cash_on_hand = forms.DecimalField(
        max_digits=14, decimal_places=2, label="Cash on hand at the month's end"
    )


class ResourceForm(_OwnIds):
    kind = forms.ChoiceField(choices=ResourceKind.choices)
    name = forms.CharField(max_length=160, label="Skill, tool or capacity")
    owner: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, required=False, label="Owner"
    )
    status = forms.ChoiceField(choices=ResourceStatus.choices, initial="missing")
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = get_user_model().objects.filter(is_active=True)


class ResourceStatusForm(_OwnIds):
    status = forms.ChoiceField(choices=ResourceStatus.choices)


class StrategyForm(_OwnIds):
    stance = forms.ChoiceField(
        choices=Stance.choices, widget=forms.RadioSelect, label="Generic strategy (Porter)"
    )
    why = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000, label="Why"
    )


def errors_in_words(form: forms.Form) -> str:
    """ "Field: reason; …" for a message that names what to fix."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else "Form"
        label = label or name.replace("_", " ").capitalize()
        parts.append(f"{label}: {' '.join(str(e) for e in errors)}")
    return "; ".join(parts)
