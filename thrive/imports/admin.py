from django.contrib import admin

from .models import ImportedRange, ImportedRecord, ImportJob, MappingPreset


@admin.register(MappingPreset)
class MappingPresetAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports are started, followed and undone on the Import pages; here they are read."""

    list_display = ["original_name", "kind", "status", "rows_read", "rejected", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["original_name", "preset"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ImportedRecord)
class ImportedRecordAdmin(admin.ModelAdmin):
    """What each import created or changed: what its undo takes back."""

    list_display = ["job", "model", "object_id", "action"]
    list_filter = ["model", "action"]
    search_fields = ["=object_id"]
    readonly_fields = [f.name for f in ImportedRecord._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ImportedRange)
class ImportedRangeAdmin(admin.ModelAdmin):
    """Runs of ids each import created: what its undo deletes."""

    list_display = ["job", "model", "first_id", "last_id"]
    list_filter = ["model"]
    readonly_fields = [f.name for f in ImportedRange._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
