"""Export jobs and the erasure log in the admin: read-only, since the Data page and the
erasure service own them and the log is the business's proof of erasure."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ErasureLog, ExportRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ExportRun)
class ExportRunAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "requested_by", "state", "percent", "tables", "rows"]
    list_filter = ["state"]
    search_fields = ["file_name", "error"]


@admin.register(ErasureLog)
class ErasureLogAdmin(ReadOnlyAdmin):
    list_display = ["erased_at", "actor", "person_id"]
    search_fields = ["=person_id"]
