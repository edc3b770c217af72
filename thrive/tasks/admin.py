from django.contrib import admin

from .models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "person", "assignee", "kind", "status", "due_at", "completed_at"]
    list_filter = ["status", "kind", "assignee"]
    search_fields = ["title", "person__email", "person__last_name", "reason"]
    list_select_related = ["person", "assignee"]
    autocomplete_fields = ["person"]
    date_hierarchy = "due_at"
