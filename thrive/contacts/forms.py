"""Forms for the people pages: validation only, no side effects."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .identity import normalize_phone
from .models import ActivityKind, ChurnRisk, Organization, Person, RelationshipRole, Stage

SORTS = {
    "name": ("last_name", "first_name", "id"),
    "-first_seen": ("-first_seen_at", "-id"),
    "first_seen": ("first_seen_at", "id"),
    "-clv": ("-score__predicted_clv", "id"),
    "-revenue": ("-score__revenue", "id"),
    "p_alive": ("score__p_alive", "id"),
    "stage": ("stage", "last_name", "id"),
}
SORT_LABELS = {
    "name": "Name",
    "-first_seen": "Newest first",
    "first_seen": "Oldest first",
    "-clv": "Highest predicted value",
    "-revenue": "Highest revenue",
    "p_alive": "Most at risk of lapsing",
    "stage": "Stage",
}
ACTIVITY_WINDOWS = [
    ("", "Any time"),
    ("7", "Active in the last 7 days"),
    ("30", "Active in the last 30 days"),
    ("90", "Active in the last 90 days"),
    ("-90", "No activity for 90 days"),
    ("-365", "No activity for a year"),
]


def _blank(choices: Any, label: str = "Any") -> list[tuple[str, str]]:
    return [("", label), *list(choices)]


class PeopleFilterForm(forms.Form):
    """The people list's search, filters and sort (GET parameters)."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    stage = forms.ChoiceField(required=False, choices=_blank(Stage.choices))
    role = forms.ChoiceField(required=False, choices=_blank(RelationshipRole.choices))
    tag = forms.CharField(required=False, max_length=60)
    segment = forms.IntegerField(required=False, min_value=1)
    rfm = forms.CharField(required=False, max_length=32, label="RFM segment")
    risk = forms.ChoiceField(required=False, choices=_blank(ChurnRisk.choices), label="Churn risk")
    clv_min = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    clv_max = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    activity = forms.ChoiceField(required=False, choices=ACTIVITY_WINDOWS, label="Last activity")
    channel = forms.CharField(required=False, max_length=40)
    organization = forms.IntegerField(required=False, min_value=1)
    # A dashboard figure's people (contacts.queries.register_metric_people), as of a day.
    metric = forms.SlugField(required=False, max_length=40)
    as_of = forms.DateField(required=False)
    sort = forms.ChoiceField(required=False, choices=list(SORT_LABELS.items()))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        low, high = data.get("clv_min"), data.get("clv_max")
        if low is not None and high is not None and low > high:
            self.add_error("clv_max", "The maximum must be at least the minimum.")
        return data


class BulkActionForm(forms.Form):
    ACTIONS = [("tag", "Add tag"), ("untag", "Remove tag"), ("stage", "Change stage")]

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], error_messages={
        "required": "Select at least one person.",
    })  # fmt: skip
    action = forms.ChoiceField(choices=ACTIONS)
    tag = forms.CharField(required=False, max_length=60)
    stage = forms.ChoiceField(required=False, choices=_blank(Stage.choices, "—"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is acceptable here; the view only acts on people that exist.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        action = data.get("action")
        if action in {"tag", "untag"} and not (data.get("tag") or "").strip():
            self.add_error("tag", "Name the tag.")
        if action == "stage" and not data.get("stage"):
            self.add_error("stage", "Choose the new stage.")
        return data


class PersonForm(forms.ModelForm):
    custom_fields = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='JSON, e.g. {"favourite_roast": "dark"}',
    )

    class Meta:
        model = Person
        fields = [
            "first_name", "last_name", "email", "phone", "organization", "job_title",
            "acquisition_channel", "acquisition_source", "time_zone", "country", "region", "city",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ModelChoiceField)  # noqa: S101 - the model's FK
        organization.queryset = Organization.objects.order_by("name")
        if self.instance and self.instance.pk:
            self.initial["custom_fields"] = json.dumps(self.instance.custom_fields or {})

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data.get("phone"))
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["phone"]) from None

    def clean_custom_fields(self) -> dict[str, Any]:
        raw = self.cleaned_data.get("custom_fields") or "{}"
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"Not valid JSON: {exc.msg} at character {exc.pos}."
            ) from None
        if not isinstance(value, dict):
            raise forms.ValidationError("Use an object of field names and values.")
        return value

    def _post_clean(self) -> None:
        # Model validation runs in the service, which reports errors per field.
        pass


LOGGABLE = [
    (ActivityKind.CALL, "Call"),
    (ActivityKind.MEETING, "Meeting"),
    (ActivityKind.STRATEGY_SESSION, "Strategy session"),
    (ActivityKind.NOTE, "Note"),
    (ActivityKind.SUPPORT, "Support conversation"),
]


class LogInteractionForm(forms.Form):
    kind = forms.ChoiceField(choices=LOGGABLE)
    subject = forms.CharField(required=False, max_length=255)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Notes")
    duration_minutes = forms.IntegerField(
        required=False, min_value=0, max_value=24 * 60, label="Minutes"
    )
