"""What a form can ask: the person fields and the person custom fields, and the
browser-side field each one becomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from thrive.contacts.models import CustomFieldDefinition, CustomFieldType
from thrive.contacts.models.fields import CustomFieldEntity

CUSTOM = "custom:"

# Person fields a visitor may fill in, with the longest answer each takes.
PERSON_TARGETS: dict[str, tuple[str, int]] = {
    "email": ("Email", 254),
    "first_name": ("First name", 100),
    "last_name": ("Last name", 100),
    "phone": ("Phone", 20),
    "job_title": ("Job title", 120),
    "city": ("City", 120),
    "region": ("Region", 120),
}


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    definition: CustomFieldDefinition | None = None

    @property
    def input_name(self) -> str:
        """The HTML name: custom keys are ``cf_<key>`` (they are [a-z0-9_] only)."""
        return f"cf_{self.key[len(CUSTOM) :]}" if self.definition else self.key


def targets() -> dict[str, Target]:
    """Every field a form may ask, by key, person fields first."""
    found = {key: Target(key, label) for key, (label, _) in PERSON_TARGETS.items()}
    for definition in CustomFieldDefinition.objects.filter(entity=CustomFieldEntity.PERSON):
        key = f"{CUSTOM}{definition.key}"
        found[key] = Target(key, definition.label, definition)
    return found


def target_choices() -> list[tuple[str, str]]:
    return [(key, t.label if not t.definition else f"{t.label} (custom field)")
            for key, t in targets().items()]  # fmt: skip


def form_field(target: Target, *, label: str, required: bool, help_text: str) -> forms.Field:
    """The Django field that checks a visitor's answer before anything is written."""
    common: dict[str, Any] = {"label": label, "required": required, "help_text": help_text}
    messages = {"required": f"{label}: please fill this in."}
    definition = target.definition
    if definition is None:
        if target.key == "email":
            return forms.EmailField(max_length=254, error_messages={
                **messages, "invalid": f"{label}: enter an email address like name@example.com.",
            }, **common)  # fmt: skip
        longest = PERSON_TARGETS[target.key][1]
        return forms.CharField(max_length=longest, error_messages={
            **messages, "max_length": f"{label}: at most {longest} characters.",
        }, **common)  # fmt: skip
    if definition.field_type == CustomFieldType.CHOICE:
        return forms.ChoiceField(
            choices=[("", "—")] + [(c, c) for c in definition.choices],
            error_messages={**messages, "invalid_choice": f"{label}: choose one of the list."},
            **common,
        )
    if definition.field_type == CustomFieldType.DATE:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={**messages, "invalid": f"{label}: enter a date (YYYY-MM-DD)."},
            **common,
        )
    if definition.field_type == CustomFieldType.NUMBER:
        return forms.DecimalField(
            error_messages={**messages, "invalid": f"{label}: enter a number."}, **common
        )
    return forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={**messages,
                                           "max_length": f"{label}: at most 1000 characters."},
                           **common)  # fmt: skip


def errors_by_field(exc: ValidationError) -> dict[str | None, list[str]]:
    """A ValidationError's messages by field name (None for the form as a whole)."""
    if hasattr(exc, "error_dict"):
        return {(None if k == NON_FIELD_ERRORS else k): v for k, v in exc.message_dict.items()}
    return {None: list(exc.messages)}
