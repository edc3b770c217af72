from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Segment


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    """Segments are built in the segment editor; here they can be found, renamed, fixed."""

    list_display = ["name", "created_by", "updated_at"]
    search_fields = ["name", "description"]
    list_select_related = ["created_by"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Segment, form: Any, change: bool) -> None:
        # The rules were validated and cleaned by Segment.clean() during the form's check.
        if not change and obj.created_by_id is None:
            obj.created_by_id = request.user.pk
        super().save_model(request, obj, form, change)
