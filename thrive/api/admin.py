from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from thrive.core.roles import can_manage

from .models import ApiToken, IdempotencyRecord, RateWindow


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made and revoked on the API page; here they are only looked at."""

    list_display = ["name", "prefix", "associate", "scope", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "prefix"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        # As on the API page: an owner sees every token, anyone else only their own.
        tokens = super().get_queryset(request)
        return tokens if can_manage(request.user) else tokens.filter(associate=request.user)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    """Answers kept for a day for POSTs with an Idempotency-Key."""

    list_display = ["owner", "key", "status_code", "created_at"]
    search_fields = ["key", "owner"]
    readonly_fields = ["owner", "key", "request_hash", "status_code", "content_type", "created_at"]
    exclude = ["body"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RateWindow)
class RateWindowAdmin(admin.ModelAdmin):
    list_display = ["caller", "window", "hits"]
    search_fields = ["caller"]
