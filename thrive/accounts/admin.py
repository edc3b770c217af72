from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from thrive.core.admin import ReadOnlyAdmin

from .models import Associate, Business, SettingChange


@admin.register(Associate)
class AssociateAdmin(UserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "is_active",
        "last_login",
    ]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "time_zone", "person")}),
        ("Access", {"fields": ("role", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "password1", "password2")}),
    )
    autocomplete_fields = ["person"]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ["name", "website"]
    # Everything else is on the settings page (/settings/), where each change is audited.
    fields = ["name", "tagline", "website"]
    readonly_fields = ["name"]

    def has_add_permission(self, request):
        return not Business.objects.exists() and super().has_add_permission(request)


@admin.register(SettingChange)
class SettingChangeAdmin(ReadOnlyAdmin):
    """The settings page's audit trail: who changed what, from what, to what."""

    list_display = ["changed_at", "actor", "subject", "field", "old_value", "new_value"]
    list_filter = ["field"]
    search_fields = ["subject", "field", "old_value", "new_value"]
    list_select_related = ["actor"]
