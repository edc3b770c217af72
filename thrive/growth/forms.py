"""Validation of growth planning's forms (no business rules here)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model

from .models import (
    CUSTOM,
    LIVE_KPIS,
    Experiment,
    ExperimentStatus,
    Goal,
)

METRIC_CHOICES = [(k, label) for k, (label, _) in LIVE_KPIS.items()] + [
    (CUSTOM, "A custom metric (I enter check-ins by hand)")
]
UNIT_CHOICES = [("", "A count"), ("%", "A percentage"), ("money", "Money"), ("days", "Days")]
DATE = forms.DateInput(attrs={"type": "date"})


class GoalForm(forms.ModelForm):
    metric = forms.ChoiceField(choices=METRIC_CHOICES)
    unit = forms.ChoiceField(
        choices=UNIT_CHOICES,
        required=False,
        help_text="For a custom metric; live KPIs bring their own.",
    )
    baseline = forms.FloatField(help_text="Where it stands at the start (28 for 28%).")
    target = forms.FloatField(help_text="Where it should be by the deadline (35 for 35%).")

    class Meta:
        model = Goal
        fields = [
            "name",
            "metric",
            "custom_label",
            "unit",
            "baseline",
            "target",
            "start",
            "deadline",
            "owner",
            "why",
        ]
        widgets = {"start": DATE, "deadline": DATE, "why": forms.Textarea(attrs={"rows": 3})}
        labels = {"custom_label": "Custom metric name", "owner": "Owner"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = get_user_model().objects.filter(is_active=True)
        if self.instance.pk and self.instance.unit == "%":
            self.initial["baseline"] = round(self.instance.baseline * 100, 6)
            self.initial["target"] = round(self.instance.target * 100, 6)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        metric = data.get("metric")
        if metric in LIVE_KPIS:
            data["unit"] = LIVE_KPIS[metric][1]
        elif not data.get("custom_label"):
            self.add_error("custom_label", "Name the custom metric.")
        if data.get("unit") == "%":
            for name in ("baseline", "target"):
                if data.get(name) is not None:
                    data[name] = data[name] / 100
        if data.get("baseline") is not None and data.get("baseline") == data.get("target"):
            self.add_error("target", "The target must differ from the baseline.")
        if data.get("start") and data.get("deadline") and data["deadline"] <= data["start"]:
            self.add_error("deadline", "The deadline must come after the start.")
        return data


class CheckInForm(forms.Form):
    on = forms.DateField(widget=DATE, label="Day")
    value = forms.FloatField(help_text="For a percentage, 31 means 31%.")
    note = forms.CharField(max_length=300, required=False)


class ExperimentForm(forms.ModelForm):
    class Meta:
        model = Experiment
        fields = [
            "title",
            "hypothesis",
            "goal",
            "kpi",
            "growth_path",
            "stance",
            "score_method",
            "impact",
            "confidence",
            "ease",
            "reach",
            "reach_segment",
            "effort",
            "measure",
            "alpha",
            "planned_per_arm",
            "campaign",
            "campaign_outcome",
            "outcome_days",
        ]
        widgets = {"hypothesis": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "kpi": "KPI it should move",
            "growth_path": "Growth path (Ansoff)",
            "stance": "Competitive stance (Porter)",
            "planned_per_arm": "Planned people per arm",
            "alpha": "Significance level",
            "campaign_outcome": "Judge the campaign's variants on",
            "outcome_days": "Window for orders and revenue",
            "reach_segment": "RICE reach from a segment",
        }
        help_texts = {"reach_segment": "Reach becomes the segment's size now (overrides reach)."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only a campaign's test uses them: left out, they keep their defaults.
        for name in ("campaign_outcome", "outcome_days"):
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["campaign_outcome"] = data.get("campaign_outcome") or "clicked"
        data["outcome_days"] = data.get("outcome_days") or 30
        if data.get("score_method") == "ice":
            for name in ("impact", "confidence", "ease"):
                value = data.get(name)
                if value is not None and not 1 <= value <= 10:
                    self.add_error(name, "ICE scores run from 1 to 10.")
        else:
            if data.get("confidence") is not None and not 0 <= data["confidence"] <= 100:
                self.add_error("confidence", "RICE confidence is a percentage (0–100).")
            if data.get("effort") is not None and data["effort"] <= 0:
                self.add_error("effort", "Effort must be positive (person-months).")
        outcome, measure = data.get("campaign_outcome"), data.get("measure")
        if outcome == "revenue" and measure and measure != "mean":
            self.add_error(
                "measure", "Revenue per person is an average: choose “An average” as the measure."
            )
        elif outcome in ("clicked", "ordered") and measure and measure != "proportion":
            self.add_error(
                "measure", "Clicked and ordered are rates: choose “A rate” as the measure."
            )
        return data


class NumbersForm(forms.Form):
    n_a = forms.IntegerField(min_value=0, label="People in A (control)")
    x_a = forms.IntegerField(min_value=0, required=False, label="Who did it in A")
    n_b = forms.IntegerField(min_value=0, label="People in B (variant)")
    x_b = forms.IntegerField(min_value=0, required=False, label="Who did it in B")
    mean_a = forms.FloatField(required=False, label="Mean of A")
    sd_a = forms.FloatField(required=False, min_value=0, label="Standard deviation of A")
    mean_b = forms.FloatField(required=False, label="Mean of B")
    sd_b = forms.FloatField(required=False, min_value=0, label="Standard deviation of B")

    def __init__(self, *args: Any, measure: str = "proportion", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        hide = ("mean_a", "sd_a", "mean_b", "sd_b") if measure == "proportion" else ("x_a", "x_b")
        for name in hide:
            del self.fields[name]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.measure == "proportion":
            for n, x, arm in (("n_a", "x_a", "A"), ("n_b", "x_b", "B")):
                if data.get(x) is None:
                    self.add_error(x, f"How many people in {arm} did it?")
                elif data.get(n) is not None and data[x] > data[n]:
                    self.add_error(x, f"More successes than people in {arm}.")
        else:
            for name in ("mean_a", "sd_a", "mean_b", "sd_b"):
                if data.get(name) is None:
                    self.add_error(name, "Needed for a comparison of means.")
        return data


class StatusForm(forms.Form):
    to = forms.ChoiceField(choices=ExperimentStatus.choices, label="Move to")
    note = forms.CharField(max_length=300, required=False, label="Why")


class SampleSizeForm(forms.Form):
    rate_a = forms.FloatField(min_value=0, max_value=100, label="Current rate (%)", initial=8)
    rate_b = forms.FloatField(
        min_value=0, max_value=100, label="Rate worth detecting (%)", initial=10
    )
    alpha = forms.FloatField(
        min_value=0.001, max_value=0.2, initial=0.05, label="Significance level"
    )
    power = forms.FloatField(min_value=0.5, max_value=0.99, initial=0.8, label="Power")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("rate_a") is not None and data.get("rate_a") == data.get("rate_b"):
            self.add_error("rate_b", "Choose a rate different from the current one.")
        return data


class SampleSizeMeansForm(forms.Form):
    delta = forms.FloatField(
        label="Difference worth detecting",
        initial=2,
        help_text="E.g. 2 for two dollars more per order.",
    )
    sd = forms.FloatField(
        min_value=0.000001,
        label="Standard deviation",
        initial=12,
        help_text="The spread of single values (e.g. of order values).",
    )
    m_alpha = forms.FloatField(
        min_value=0.001, max_value=0.2, initial=0.05, label="Significance level (means)"
    )
    m_power = forms.FloatField(min_value=0.5, max_value=0.99, initial=0.8, label="Power (means)")

    def clean_delta(self) -> float:
        value = self.cleaned_data["delta"]
        if value == 0:
            raise forms.ValidationError("Choose a difference other than zero.")
        return value


class HealthCheckForm(forms.Form):
    period_start = forms.DateField(widget=DATE, label="From")
    period_end = forms.DateField(widget=DATE, label="To (inclusive)")
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Your reading of the period"
    )
    competitive_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Competitive notes"
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("period_start") and data.get("period_end"):
            if data["period_end"] <= data["period_start"]:
                self.add_error("period_end", "The period must end after it starts.")
        return data


class MonthlyFiguresForm(forms.Form):
    month = forms.DateField(
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    revenue = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2)
    cost_of_sales = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2)
    operating_costs = forms.DecimalField(
        min_value=0, max_digits=14, decimal_places=2, required=False
    )
    employees = forms.FloatField(min_value=0, initial=1, label="Employees (FTE)")
