"""Custom fields: typed definitions, and the validation every write goes through."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from .choices import CustomFieldType


class CustomFieldEntity(models.TextChoices):
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"


# The special categories of personal data (GDPR Art. 9, plus pregnancy and disability,
# which equality law protects): a field whose key or label names one is sensitive when it
# is created. Word stems, matched at the start of a word of the key or label.
SPECIAL_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("health", ("health", "medical", "medic", "illness", "diagnos", "allerg", "disease",
                "symptom", "mental", "diet", "intoleran")),
    ("disability", ("disab", "handicap", "impair", "wheelchair", "accessib")),
    ("pregnancy", ("pregnan", "maternity", "expecting")),
    ("religion or belief", ("religio", "faith", "belief", "church", "mosque", "synagog",
                            "worship", "halal", "kosher")),
    ("ethnicity or race", ("ethnic", "race", "racial", "ancestr", "skin")),
    ("sexual orientation or sex life", ("sexual", "orientation", "gay", "lesbian", "lgbt")),
    ("political opinion", ("politic",)),
    ("trade-union membership", ("union",)),
    ("genetic or biometric data", ("genetic", "dna", "biometric", "fingerprint")),
    ("criminal record", ("criminal", "convict", "offence", "offense")),
)  # fmt: skip
_WORDS = re.compile(r"[a-z]+")


def special_category(key: str, label: str = "") -> str:
    """The special category a field's key or label names ("health", "religion or belief"…),
    or "" when it names none. It errs towards marking ("Race distance" is caught): a
    false alarm costs the owner a click, a miss costs a person's privacy."""
    words = _WORDS.findall(f"{key} {label}".lower().replace("_", " "))
    for category, stems in SPECIAL_CATEGORIES:
        if any(word.startswith(stem) for word in words for stem in stems):
            return category
    return ""


class CustomFieldDefinition(models.Model):
    entity = models.CharField(max_length=16, choices=CustomFieldEntity.choices)
    key = models.CharField(
        max_length=64,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", "Use lower-case letters, digits and _.")],
        help_text="Stored name, e.g. favourite_roast.",
    )
    label = models.CharField(max_length=120)
    field_type = models.CharField(max_length=16, choices=CustomFieldType.choices)
    choices = models.JSONField(default=list, blank=True, help_text="Allowed values for a choice.")
    required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=255, blank=True)
    sensitive = models.BooleanField(
        default=False,
        help_text="Sensitive attributes (health, religion, ethnicity and the like) are never "
        "used by the ideal-client profile, lead scoring or the partner portal. Fields named "
        "for one are marked when created; untick only if the name misleads.",
    )

    class Meta:
        ordering = ["entity", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "key"],
                name="custom_field_key_unique_per_entity",
                violation_error_message="A custom field with this key already exists.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_field_type_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Sensitive by default: a new field named for a special category starts marked.
        if self._state.adding and not self.sensitive and special_category(self.key, self.label):
            self.sensitive = True
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.field_type == CustomFieldType.CHOICE:
            if not isinstance(self.choices, list) or not self.choices:
                raise ValidationError({"choices": "A choice field needs at least one choice."})
            if not all(isinstance(c, str) and c.strip() for c in self.choices):
                raise ValidationError({"choices": "Every choice must be non-empty text."})
        elif self.choices:
            raise ValidationError({"choices": "Only choice fields have choices."})

    def coerce(self, raw: Any) -> Any:
        """Return ``raw`` as the JSON value stored for this field, or raise ValidationError
        naming ``custom_fields.<key>``. Nothing is truncated or guessed."""
        name = f"custom_fields.{self.key}"
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise ValidationError({name: f"{self.label} is required."}, code="required")
            return None
        if self.field_type == CustomFieldType.TEXT:
            if not isinstance(raw, str):
                raise ValidationError({name: f"{self.label} must be text."}, code="invalid")
            if len(raw) > 1000:
                raise ValidationError(
                    {name: f"{self.label} is longer than 1000 characters."}, code="too_long"
                )
            return raw
        if self.field_type == CustomFieldType.NUMBER:
            if isinstance(raw, bool):
                raise ValidationError({name: f"{self.label} must be a number."}, code="invalid")
            try:
                number = Decimal(str(raw).strip())
            except InvalidOperation:
                raise ValidationError(
                    {name: f"{self.label}: {raw!r} is not a number."}, code="invalid"
                ) from None
            if not number.is_finite():
                raise ValidationError(
                    {name: f"{self.label}: {raw!r} is not a finite number."}, code="invalid"
                )
            # JSON keeps the exact decimal as text when it has a fraction.
            return int(number) if number == number.to_integral_value() else str(number)
        if self.field_type == CustomFieldType.DATE:
            if isinstance(raw, dt.datetime):
                raise ValidationError(
                    {name: f"{self.label} must be a date, not a date and time."}, code="invalid"
                )
            if isinstance(raw, dt.date):
                return raw.isoformat()
            try:
                return dt.date.fromisoformat(str(raw).strip()).isoformat()
            except ValueError:
                raise ValidationError(
                    {name: f"{self.label}: {raw!r} is not a date (use YYYY-MM-DD)."},
                    code="invalid",
                ) from None
        # CHOICE
        if raw not in self.choices:
            allowed = ", ".join(self.choices)
            raise ValidationError(
                {name: f"{self.label}: {raw!r} is not one of {allowed}."}, code="invalid_choice"
            )
        return raw


def validate_custom_fields(entity: str, values: dict[str, Any] | None) -> dict[str, Any]:
    """Validate a whole custom-field dict for ``entity`` and return the cleaned dict.

    Unknown keys are refused (not dropped), every error is collected, and required fields
    that are missing are reported.
    """
    values = values or {}
    if not isinstance(values, dict):
        raise ValidationError({"custom_fields": "Custom fields must be a mapping of key to value."})
    definitions = {d.key: d for d in CustomFieldDefinition.objects.filter(entity=entity)}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, raw in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors[f"custom_fields.{key}"] = [f"There is no custom field called {key!r}."]
            continue
        try:
            value = definition.coerce(raw)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            continue
        if value is not None:
            cleaned[key] = value
    for key, definition in definitions.items():
        if definition.required and key not in values:
            errors.setdefault(f"custom_fields.{key}", []).append(f"{definition.label} is required.")
    if errors:
        raise ValidationError(errors)
    return cleaned
