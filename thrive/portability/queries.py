"""Reads the data page makes: the latest export runs and the erasure log."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ErasureLog, ExportRun


def recent_exports(limit: int = 5) -> list[ExportRun]:
    """The latest whole-account exports (model ordering) with who asked for them."""
    return list(ExportRun.objects.select_related("requested_by")[:limit])


def recent_erasures(limit: int = 20) -> QuerySet[ErasureLog]:
    """The latest erasures (model ordering) with who carried them out."""
    return ErasureLog.objects.select_related("actor")[:limit]
