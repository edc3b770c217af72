from django.contrib import admin

from .models import AnalyticsRefresh, BasketRule, CustomerScore, DashboardSnapshot


@admin.register(CustomerScore)
class CustomerScoreAdmin(admin.ModelAdmin):
    list_display = [
        "person", "predicted_clv", "p_alive", "churn_risk", "rfm_segment", "frequency",
        "recency_days", "revenue", "computed_at",
    ]  # fmt: skip
    list_filter = ["churn_risk", "rfm_segment"]
    search_fields = ["person__email", "person__last_name"]
    list_select_related = ["person"]
    readonly_fields = [f.name for f in CustomerScore._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # computed by the background job, never typed in

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DashboardSnapshot)
class DashboardSnapshotAdmin(admin.ModelAdmin):
    list_display = ["computed_at", "as_of", "duration_seconds"]
    readonly_fields = ["computed_at", "as_of", "duration_seconds", "payload"]

    def has_add_permission(self, request):
        return False


@admin.register(AnalyticsRefresh)
class AnalyticsRefreshAdmin(admin.ModelAdmin):
    list_display = ["requested_at", "state", "step", "percent", "finished_at"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in AnalyticsRefresh._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(BasketRule)
class BasketRuleAdmin(admin.ModelAdmin):
    list_display = ["antecedent", "consequent", "confidence", "lift", "support", "computed_at"]
    readonly_fields = [f.name for f in BasketRule._meta.fields]

    def has_add_permission(self, request):
        return False  # found by the background job, never typed in

    def has_change_permission(self, request, obj=None):
        return False
