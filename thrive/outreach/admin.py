"""Outreach records in the admin. Deliveries, drafts and the pump are read-only there:
they change only through the services, which keep the timeline and the checks whole."""

from __future__ import annotations

from django.contrib import admin

from thrive.core.admin import ReadOnlyAdmin

from .models import (
    Campaign,
    CampaignVariant,
    Delivery,
    Draft,
    EmailTemplate,
    PumpSchedule,
    Sequence,
    SequenceEnrollment,
    SequenceStep,
    Suppression,
)


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "subject", "updated_at"]
    search_fields = ["name", "subject"]


class VariantInline(admin.TabularInline):
    model = CampaignVariant
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "segment", "scheduled_at", "started_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    inlines = [VariantInline]


@admin.register(CampaignVariant)
class CampaignVariantAdmin(admin.ModelAdmin):
    list_display = ["campaign", "label", "template", "subject", "weight"]
    search_fields = ["campaign__name", "subject"]


class StepInline(admin.TabularInline):
    model = SequenceStep
    extra = 0


@admin.register(Sequence)
class SequenceAdmin(admin.ModelAdmin):
    list_display = ["name", "purpose", "on_cap", "is_active"]
    search_fields = ["name"]
    inlines = [StepInline]


@admin.register(SequenceStep)
class SequenceStepAdmin(admin.ModelAdmin):
    list_display = ["sequence", "position", "delay_hours", "template"]
    search_fields = ["sequence__name"]


@admin.register(SequenceEnrollment)
class SequenceEnrollmentAdmin(ReadOnlyAdmin):
    list_display = ["person", "sequence", "status", "next_position", "next_run_at"]
    list_filter = ["status"]
    search_fields = ["person__email", "sequence__name"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["idempotency_key", "person", "status", "skip_reason", "sent_at", "attempts"]
    list_filter = ["status", "purpose", "automated"]
    search_fields = ["idempotency_key", "to_email", "message_id"]
    list_select_related = ["person"]


@admin.register(Draft)
class DraftAdmin(ReadOnlyAdmin):
    list_display = ["person", "associate", "subject", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["person__email", "subject"]


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["email", "reason", "at", "detail"]
    list_filter = ["reason"]
    search_fields = ["email"]


@admin.register(PumpSchedule)
class PumpScheduleAdmin(ReadOnlyAdmin):
    list_display = ["pk", "next_run_at"]
