from __future__ import annotations

from django.contrib import admin

from thrive.core.admin import ReadOnlyAdmin

from .models import (
    Deal,
    DealStage,
    DealStageChange,
    LostReason,
    MarketingSpend,
    Order,
    OrderLine,
    PersonOrderTotals,
    PersonProduct,
    Product,
    Subscription,
)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    autocomplete_fields = ["product"]
    fields = ["product", "sku", "description", "quantity", "unit_price", "discount", "line_total"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "ordered_at",
        "person",
        "status",
        "channel",
        "total",
        "refunded",
        "currency",
    ]
    list_filter = ["status", "channel", "currency", "source"]
    search_fields = ["number", "person__email", "person__last_name"]
    list_select_related = ["person"]
    autocomplete_fields = ["person"]
    date_hierarchy = "ordered_at"
    inlines = [OrderLineInline]
    show_full_result_count = False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "sku", "category", "price", "currency", "is_subscription", "active"]
    list_filter = ["category", "is_subscription", "active"]
    search_fields = ["name", "sku"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["person", "plan", "monthly_amount", "currency", "started_on", "ended_on"]
    list_filter = ["plan", ("ended_on", admin.EmptyFieldListFilter)]
    search_fields = ["person__email", "person__last_name", "plan"]
    list_select_related = ["person"]
    autocomplete_fields = ["person", "product"]
    date_hierarchy = "started_on"


@admin.register(MarketingSpend)
class MarketingSpendAdmin(admin.ModelAdmin):
    list_display = ["month", "channel", "amount", "currency"]
    list_filter = ["channel", "currency"]
    list_select_related = ["channel"]
    date_hierarchy = "month"


@admin.register(DealStage)
class DealStageAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "probability", "is_won", "is_lost"]


@admin.register(LostReason)
class LostReasonAdmin(admin.ModelAdmin):
    list_display = ["label", "position"]
    search_fields = ["label"]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["title", "stage", "value", "currency", "probability", "expected_close", "owner"]
    list_filter = ["stage", "owner"]
    search_fields = ["title", "person__email", "organization__name"]
    list_select_related = ["stage", "owner"]
    autocomplete_fields = ["person", "organization"]


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin):
    list_display = ["order", "sku", "description", "quantity", "unit_price", "line_total"]
    search_fields = ["sku", "description", "order__number"]
    list_select_related = ["order"]
    autocomplete_fields = ["order", "product"]
    show_full_result_count = False


@admin.register(DealStageChange)
class DealStageChangeAdmin(ReadOnlyAdmin):
    """Every move of a deal between stages, as the deal pages record it (append-only)."""

    list_display = ["changed_at", "deal", "from_stage", "to_stage", "actor"]
    list_filter = ["to_stage"]
    search_fields = ["deal__title"]
    list_select_related = ["deal", "from_stage", "to_stage", "actor"]


@admin.register(PersonOrderTotals)
class PersonOrderTotalsAdmin(ReadOnlyAdmin):
    """Each person's counted orders and net spend, kept by database triggers (read-only)."""

    list_display = ["person", "orders_count", "amount"]
    list_select_related = ["person"]
    search_fields = ["person__email", "person__last_name"]


@admin.register(PersonProduct)
class PersonProductAdmin(ReadOnlyAdmin):
    """Which products each person bought, first and last, kept by database triggers."""

    list_display = ["person", "product", "first_at", "last_at"]
    list_select_related = ["person", "product"]
    search_fields = ["person__email", "product__sku"]
