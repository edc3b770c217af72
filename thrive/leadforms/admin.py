"""Lead-capture forms in the records admin: the forms, their fields and every answer.

Answers are what visitors typed: read-only here, so the record stays as it was sent."""

from __future__ import annotations

from django.contrib import admin

from thrive.core.admin import ReadOnlyAdmin

from .models import FormField, LeadForm, Submission


class FormFieldInline(admin.TabularInline):
    model = FormField
    extra = 0


@admin.register(LeadForm)
class LeadFormAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "sequence", "notify"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    inlines = [FormFieldInline]


@admin.register(FormField)
class FormFieldAdmin(admin.ModelAdmin):
    list_display = ["form", "position", "label", "target", "required"]
    search_fields = ["label", "form__name"]
    list_select_related = ["form"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["submitted_at", "form", "person", "new_person", "confirmed_at", "enrolled"]
    list_filter = ["form", "new_person", "enrolled"]
    search_fields = ["person__email", "form__name"]
    list_select_related = ["form", "person"]
