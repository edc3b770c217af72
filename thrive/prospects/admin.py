from django.contrib import admin

from .models import (
    IdealProfile,
    LeadModel,
    LeadScore,
    LeadTestPrediction,
    PortalLink,
    PortalReferral,
)


@admin.register(LeadModel)
class LeadModelAdmin(admin.ModelAdmin):
    list_display = ["trained_at", "status", "auc", "brier", "train_rows", "test_rows"]
    readonly_fields = [f.name for f in LeadModel._meta.fields]


@admin.register(LeadScore)
class LeadScoreAdmin(admin.ModelAdmin):
    list_display = ["person", "probability", "computed_at"]
    raw_id_fields = ["person", "model"]


@admin.register(LeadTestPrediction)
class LeadTestPredictionAdmin(admin.ModelAdmin):
    # What the fairness report reads: made by the model, never edited by hand.
    list_display = ["person", "cutoff", "probability", "converted", "model"]
    list_filter = ["converted"]
    search_fields = ["person__email", "person__last_name"]
    raw_id_fields = ["person", "model"]
    readonly_fields = ["model", "person", "cutoff", "probability", "converted"]


@admin.register(PortalLink)
class PortalLinkAdmin(admin.ModelAdmin):
    # Only the hash of a link is kept: the admin can see and expire links, never open one.
    list_display = ["partner", "created_at", "expires_at", "used_at"]
    raw_id_fields = ["partner"]
    readonly_fields = ["nonce_hash", "created_by", "ip_address", "used_at"]


@admin.register(PortalReferral)
class PortalReferralAdmin(admin.ModelAdmin):
    list_display = ["referral", "partner", "created_at", "thanked_at"]
    raw_id_fields = ["referral", "partner", "consent"]


admin.site.register(IdealProfile)
