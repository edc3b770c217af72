from typing import Any

from django.contrib import admin

from .models import ActionLog, EngineCursor, Enrollment, SegmentMembership, Step, Workflow


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["position", "kind", "config"]


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    # Edit workflows in the workspace (it validates steps); the admin is for looking.
    list_display = ["name", "trigger", "status", "reentry", "version", "updated_at"]
    list_filter = ["status", "trigger"]
    search_fields = ["name", "description"]
    inlines = [StepInline]
    readonly_fields = ["secret", "trigger_state", "version"]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["workflow", "position", "kind"]
    list_filter = ["kind"]
    search_fields = ["workflow__name"]
    list_select_related = ["workflow"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["person", "workflow", "position", "status", "wait_until", "enrolled_at"]
    list_filter = ["status", "workflow"]
    search_fields = ["person__email", "person__last_name", "workflow__name"]
    list_select_related = ["person", "workflow"]
    raw_id_fields = ["person", "trigger_activity", "event_activity"]


@admin.register(ActionLog)
class ActionLogAdmin(admin.ModelAdmin):
    """The record of what the engine did: never edited."""

    list_display = ["at", "person", "workflow", "position", "outcome", "summary"]
    list_filter = ["outcome", "step_kind", "workflow"]
    search_fields = ["summary", "person__email", "person__last_name"]
    list_select_related = ["person", "workflow"]
    date_hierarchy = "at"

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(EngineCursor)
class EngineCursorAdmin(admin.ModelAdmin):
    list_display = ["name", "last_activity_id", "tick_due_at", "updated_at"]
    search_fields = ["name"]


@admin.register(SegmentMembership)
class SegmentMembershipAdmin(admin.ModelAdmin):
    list_display = ["workflow", "person"]
    search_fields = ["workflow__name", "person__email"]
    list_select_related = ["workflow", "person"]
    raw_id_fields = ["person"]
