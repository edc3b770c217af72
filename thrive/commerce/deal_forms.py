"""Forms of the deal pipeline board: moving a card, quick-adding a deal to a column,
a next step, the owner's stages and lost reasons. Validation only."""

from __future__ import annotations

from typing import Any

from django import forms

from thrive.core import business

from .forms import CurrencyField, PersonRefField, _money
from .models import DealStage, LostReason

DATE_ERRORS = {"invalid": "Enter a date as YYYY-MM-DD."}


class StageChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=DealStage.objects.order_by("position", "id"),
            error_messages={
                "required": "Choose the stage.",
                "invalid_choice": "There is no such stage: choose one of the board's stages.",
            },
            **kwargs,
        )


class MoveForm(forms.Form):
    stage = StageChoiceField(label="Move to")
    lost_reason = forms.ChoiceField(label="Lost because", required=False)
    lost_reason_other = forms.CharField(
        label="Other reason", required=False, max_length=200,
        help_text="When none of the reasons fits.",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = list(LostReason.objects.values_list("label", flat=True))
        self.fields["lost_reason"].choices = [("", "—"), *((x, x) for x in labels)]  # type: ignore[attr-defined]

    def reason(self) -> str:
        data = self.cleaned_data
        return (data.get("lost_reason_other") or "").strip() or data.get("lost_reason") or ""


class QuickAddForm(forms.Form):
    stage = StageChoiceField(widget=forms.HiddenInput)
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Give the deal a title."}
    )
    person = PersonRefField(
        label="Person", max_length=254, help_text="Their id or email address.",
        error_messages={"required": "Name the person (their id or email address)."},
    )  # fmt: skip
    value = _money("Value")
    currency = CurrencyField(label="Currency")
    expected_close = forms.DateField(
        label="Expected close", required=False, error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = business.currency()


class NextStepForm(forms.Form):
    next_step = forms.CharField(label="Next step", max_length=200, required=False)
    next_step_due = forms.DateField(
        label="Due", required=False, error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip


class StageForm(forms.Form):
    name = forms.CharField(max_length=80, error_messages={"required": "A stage needs a name."})
    probability = forms.CharField(
        label="Win probability (%)", max_length=8,
        error_messages={"required": "Give the stage a win probability from 0 to 100."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "5"}),
    )  # fmt: skip
    is_won = forms.BooleanField(label="Deals here are won", required=False)
    is_lost = forms.BooleanField(label="Deals here are lost", required=False)


class LostReasonForm(forms.Form):
    label = forms.CharField(
        label="New lost reason", max_length=200, error_messages={"required": "Write the reason."}
    )
