"""Export jobs and the erasure log in the admin: read-only, since the Data page and the
erasure service own them and the log is the business's proof of erasure."""

from __future__ import annotations

from django.contrib import admin

from thrive.core.admin import ReadOnlyAdmin

from .models import ErasureLog, ExportRun


@admin.register(ExportRun)
class ExportRunAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "requested_by", "state", "percent", "tables", "rows"]
    list_filter = ["state"]
    search_fields = ["file_name", "error"]


@admin.register(ErasureLog)
class ErasureLogAdmin(ReadOnlyAdmin):
    list_display = ["erased_at", "actor", "person_id"]
    search_fields = ["=person_id"]
