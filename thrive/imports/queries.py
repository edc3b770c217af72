"""Reads the import pages make: recent jobs and the saved mapping presets."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ImportJob, MappingPreset


def recent_imports(limit: int = 50) -> QuerySet[ImportJob]:
    """The latest import jobs (model ordering, newest first) with who started them."""
    return ImportJob.objects.select_related("created_by")[:limit]


def presets_for(kind: str) -> QuerySet[MappingPreset]:
    """The saved column mappings offered for a kind of import."""
    return MappingPreset.objects.filter(kind=kind)


def preset_for(kind: str, raw_pk: str) -> MappingPreset | None:
    """The saved preset a form names by id, if it exists for this kind; None otherwise."""
    return MappingPreset.objects.filter(pk=raw_pk if raw_pk.isdigit() else 0, kind=kind).first()
