"""Writes to segments. Each service checks the actor's role and validates fully."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from thrive.core.roles import check_actor

from .models import Segment


def _save(segment: Segment) -> Segment:
    """Validate (the rules are cleaned by ``Segment.clean``) and save ``segment``."""
    taken = Segment.objects.filter(name__iexact=segment.name.strip()).exclude(pk=segment.pk)
    if segment.name.strip() and taken.exists():
        # Said on the name field; the database constraint alone would say it "globally".
        raise ValidationError({"name": "A segment with this name already exists."})
    segment.name = segment.name.strip()
    segment.full_clean()
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError as exc:  # the same name saved concurrently
        raise ValidationError({"name": "A segment with this name already exists."}) from exc
    return segment


def create_segment(*, actor: Any, name: str, rules: Any, description: str = "") -> Segment:
    """Create a segment; raises ValidationError naming ``name`` or ``rules``."""
    check_actor(actor)
    segment = Segment(name=name, description=description, rules=rules, created_by=actor)
    return _save(segment)


def update_segment(
    segment: Segment, *, actor: Any, name: str, rules: Any, description: str = ""
) -> Segment:
    """Change a segment's name, description and rules; same validation as creating."""
    check_actor(actor)
    segment.name, segment.description, segment.rules = name, description, rules
    return _save(segment)


def delete_segment(segment: Segment, *, actor: Any) -> None:
    """Delete a segment. The people in it are untouched."""
    check_actor(actor)
    segment.delete()
