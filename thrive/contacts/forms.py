"""Forms for the people pages: validation only, no side effects."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from thrive.core import business
from thrive.insights.rfm import RFM_SEGMENT_NAMES

from .identity import normalize_phone
from .models import (
    ActivityKind,
    ChurnRisk,
    CustomFieldDefinition,
    CustomFieldEntity,
    CustomFieldType,
    Organization,
    Person,
    RelationshipRole,
    Stage,
)
from .places import country_choices, country_names, is_time_zone, time_zone_choices
from .services import EMPTY_ENTRY

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
    rfm = forms.ChoiceField(
        required=False, choices=_blank(RFM_SEGMENT_NAMES.items()), label="RFM segment"
    )
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


CUSTOM_PREFIX = "custom__"
PHONE_HELP = "We keep it in international form, e.g. +1 503 555 0100."


def _custom_field(definition: CustomFieldDefinition) -> forms.Field:
    """One typed input per defined custom field; the model's definition still coerces and
    checks the value (the same rules as imports and the API)."""
    common: dict[str, Any] = {
        "required": definition.required, "label": definition.label,
        "help_text": definition.help_text,
    }  # fmt: skip
    kind = definition.field_type
    if kind == CustomFieldType.NUMBER:
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if kind == CustomFieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == CustomFieldType.CHOICE:
        options = [("", "—"), *[(c, c) for c in definition.choices or []]]
        return forms.ChoiceField(choices=options, **common)
    return forms.CharField(max_length=1000, **common)


class PersonForm(forms.ModelForm):
    """A person's profile. Custom fields are one input each, named ``custom__<key>``;
    the time zone and country are chosen from lists and checked again here."""

    time_zone = forms.CharField(required=False, label="Time zone", widget=forms.Select)
    country = forms.CharField(required=False, label="Country", widget=forms.Select)

    class Meta:
        model = Person
        fields = [
            "first_name", "last_name", "email", "phone", "organization", "job_title",
            "acquisition_channel", "acquisition_source", "time_zone", "country", "region", "city",
        ]  # fmt: skip

    def __init__(self, *args: Any, business_zone: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ModelChoiceField)  # noqa: S101 - the model's FK
        organization.queryset = Organization.objects.order_by("name")
        self.fields["phone"].help_text = PHONE_HELP
        zone = business_zone or business.time_zone_name()
        current_zone = self["time_zone"].value() or ""
        zones = time_zone_choices(zone)
        if current_zone and is_time_zone(current_zone) and not _listed(zones, current_zone):
            zones.insert(1, (current_zone, current_zone))  # an older alias stays as it is
        self.fields["time_zone"].widget.choices = zones
        self.fields["country"].widget.choices = country_choices()
        self.definitions = list(
            CustomFieldDefinition.objects.filter(entity=CustomFieldEntity.PERSON).order_by("label")
        )
        stored = (self.instance.custom_fields or {}) if self.instance else {}
        for definition in self.definitions:
            name = CUSTOM_PREFIX + definition.key
            self.fields[name] = _custom_field(definition)
            if definition.key in stored:
                self.initial[name] = stored[definition.key]

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data.get("phone"))
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["phone"]) from None

    def clean_time_zone(self) -> str:
        zone = (self.cleaned_data.get("time_zone") or "").strip()
        if zone and not is_time_zone(zone):
            raise forms.ValidationError(
                f"“{zone}” is not a time zone we know. Choose one from the list, "
                "for example America/Los_Angeles."
            )
        return zone

    def clean_country(self) -> str:
        code = (self.cleaned_data.get("country") or "").strip().upper()
        if code and code not in country_names():
            raise forms.ValidationError(
                f"“{code}” is not a country we know. Choose one from the list."
            )
        return code

    def clean(self) -> dict[str, Any]:
        super().clean()
        # The typed inputs become the stored mapping; an emptied input removes its value.
        custom: dict[str, Any] = {}
        for definition in self.definitions:
            value = self.cleaned_data.pop(CUSTOM_PREFIX + definition.key, None)
            if value not in (None, ""):
                custom[definition.key] = value
        self.cleaned_data["custom_fields"] = custom
        return self.cleaned_data

    def _post_clean(self) -> None:
        # Model validation runs in the service, which reports errors per field.
        pass


def _listed(choices: list[tuple[str, Any]], value: str) -> bool:
    for key, label in choices:
        if isinstance(label, list):
            if any(option == value for option, _ in label):
                return True
        elif key == value:
            return True
    return False


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

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            not self.errors
            and not (data.get("subject") or "").strip()
            and not (data.get("body") or "").strip()
            and data.get("duration_minutes") is None
        ):
            raise forms.ValidationError(EMPTY_ENTRY, code="empty_entry")
        return data


class CorrectActivityForm(LogInteractionForm):
    """A logged touchpoint, corrected: the same fields plus when it happened and why."""

    occurred_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text="In your time zone.",
    )
    reason = forms.CharField(required=False, max_length=255, label="Why the change (optional)")


class RetractActivityForm(forms.Form):
    reason = forms.CharField(max_length=255, label="Why retract it", error_messages={
        "required": "Say why this entry is being retracted.",
    })  # fmt: skip


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "domain", "industry", "employees", "website", "country", "city"]

    def _post_clean(self) -> None:
        # Model validation runs in the service, which reports errors per field.
        pass


class NewPersonForm(PersonForm):
    """The person form, for someone not yet in Thrive: a name or an email is needed."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any((data.get(name) or "").strip() for name in ("first_name", "last_name", "email")):
            raise forms.ValidationError("Give at least a name or an email address.")
        return data
