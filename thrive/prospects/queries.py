"""Reads the prospects pages make that no other module here owns."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from thrive.contacts.models import (
    CustomFieldDefinition,
    CustomFieldEntity,
    CustomFieldType,
    Person,
)

from .models import LeadModel, LeadModelStatus, LeadScore, LeadTestPrediction


def leads_by_probability() -> QuerySet[LeadScore]:
    """Every scored lead with its person and channel, the likeliest client first."""
    return LeadScore.objects.select_related("person", "person__acquisition_channel").order_by(
        "-probability", "person_id"
    )


# --- The lead model's fairness report --------------------------------------------------

CHANNEL, COUNTRY = "channel", "country"


@dataclass(frozen=True)
class FairnessAttribute:
    key: str  # "channel", "country" or "field:<id>"
    label: str
    sensitive: bool


def fairness_attributes() -> list[FairnessAttribute]:
    """What the owner may compare groups by: acquisition channel, country and every
    choice custom field — sensitive ones included, since checking the model is fair to
    them is the point (the model itself never sees them)."""
    out = [
        FairnessAttribute(CHANNEL, "acquisition channel", False),
        FairnessAttribute(COUNTRY, "country", False),
    ]
    for definition in CustomFieldDefinition.objects.filter(
        field_type=CustomFieldType.CHOICE
    ).order_by("-sensitive", "entity", "label"):
        label = definition.label.lower()
        if definition.entity == CustomFieldEntity.ORGANIZATION:
            label = f"company's {label}"
        out.append(FairnessAttribute(f"field:{definition.pk}", label, definition.sensitive))
    return out


@dataclass(frozen=True)
class FairnessInput:
    """Predictions to compare: the latest ready model's held-out test rows (with their
    outcomes) or, when it kept none, today's scores (outcomes not known yet)."""

    model: LeadModel | None
    person_ids: list[int]
    predicted: list[float]
    outcomes: list[bool] | None


def fairness_input() -> FairnessInput:
    model = (
        LeadModel.objects.filter(status=LeadModelStatus.READY)
        .order_by("-trained_at", "-id")
        .first()
    )
    if model is None:
        return FairnessInput(None, [], [], None)
    held_out = list(
        LeadTestPrediction.objects.filter(model=model).values_list(
            "person_id", "probability", "converted"
        )
    )
    if held_out:
        return FairnessInput(
            model, [r[0] for r in held_out], [r[1] for r in held_out], [r[2] for r in held_out]
        )
    now = list(LeadScore.objects.values_list("person_id", "probability"))
    return FairnessInput(model, [r[0] for r in now], [r[1] for r in now], None)


def group_values(attribute: FairnessAttribute, person_ids: list[int]) -> list[str]:
    """Each person's current value of ``attribute`` ("" when not recorded)."""
    people = Person.objects.filter(pk__in=set(person_ids))
    if attribute.key == CHANNEL:
        values = dict(people.values_list("pk", "acquisition_channel__name"))
    elif attribute.key == COUNTRY:
        values = dict(people.values_list("pk", "country"))
    else:
        definition = CustomFieldDefinition.objects.get(pk=int(attribute.key.split(":", 1)[1]))
        column = (
            "organization__custom_fields"
            if definition.entity == CustomFieldEntity.ORGANIZATION
            else "custom_fields"
        )
        values = {
            pk: str((fields or {}).get(definition.key) or "")
            for pk, fields in people.values_list("pk", column)
        }
    return [values.get(pid) or "" for pid in person_ids]
