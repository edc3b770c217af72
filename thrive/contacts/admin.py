"""The admin for the ecosystem: searchable, filterable, and writing through the rules."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from thrive.core.admin import ReadOnlyAdmin

from . import services
from .models import (
    AcquisitionChannel,
    Activity,
    Consent,
    CustomFieldDefinition,
    MergeRecord,
    Organization,
    Person,
    PersonRole,
    PersonTag,
    Referral,
    StageChange,
    Tag,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StageHistoryInline(ReadOnlyInline):
    model = StageChange
    fields = readonly_fields = ("changed_at", "from_stage", "to_stage", "cause", "actor", "note")
    ordering = ["-changed_at"]


class TimelineInline(ReadOnlyInline):
    model = Activity
    fields = readonly_fields = (
        "occurred_at",
        "kind",
        "channel",
        "direction",
        "subject",
        "associate",
        "duration_minutes",
    )
    ordering = ["-occurred_at"]
    max_num = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Activity]:
        return super().get_queryset(request).select_related("associate")


class RoleInline(admin.TabularInline):
    model = PersonRole
    extra = 0


class PersonTagInline(admin.TabularInline):
    model = PersonTag
    extra = 0
    autocomplete_fields = ["tag"]
    readonly_fields = ["added_at", "added_by"]


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = readonly_fields = (
        "purpose", "granted_at", "method", "source_text", "ip_address", "withdrawn_at"
    )


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = [
        "__str__", "email", "organization", "stage", "acquisition_channel", "first_seen_at",
        "order_count",
    ]  # fmt: skip
    list_filter = ["stage", "roles__role", "acquisition_channel", "tags", "country"]
    search_fields = ["first_name", "last_name", "email", "organization__name", "phone"]
    list_select_related = ["organization", "acquisition_channel"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["stage_changed_at", "created_at", "updated_at"]
    date_hierarchy = "first_seen_at"
    inlines = [RoleInline, PersonTagInline, ConsentInline, StageHistoryInline, TimelineInline]
    fieldsets = (
        (
            None,
            {"fields": ("first_name", "last_name", "email", "phone", "organization", "job_title")},
        ),
        ("Lifecycle", {"fields": ("stage", "stage_changed_at", "first_seen_at")}),
        ("Acquisition", {"fields": ("acquisition_channel", "acquisition_source")}),
        ("Location", {"fields": ("time_zone", "country", "region", "city")}),
        ("Custom fields", {"fields": ("custom_fields",)}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return super().get_queryset(request).annotate(_orders=Count("orders", distinct=True))

    @admin.display(description="Orders", ordering="_orders")
    def order_count(self, obj: Person) -> int:
        return getattr(obj, "_orders", 0)

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        # The stage history names the associate who changed it here.
        obj._stage_actor = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, PersonTag) and instance.added_by_id is None:
                instance.added_by_id = request.user.pk
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "employees", "country", "city", "people_count"]
    list_filter = ["industry", "country"]
    search_fields = ["name", "domain", "city"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return super().get_queryset(request).annotate(_people=Count("people"))

    @admin.display(description="People", ordering="_people")
    def people_count(self, obj: Organization) -> int:
        return getattr(obj, "_people", 0)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """The timeline is append-only: rows can be read and added, never edited or deleted."""

    list_display = [
        "occurred_at",
        "person",
        "kind",
        "channel",
        "direction",
        "associate",
        "subject",
        "automated",
    ]
    list_filter = ["kind", "channel", "direction", "automated"]
    search_fields = ["subject", "person__email", "person__last_name"]
    list_select_related = ["person", "associate"]
    autocomplete_fields = ["person", "associate"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    # Corrections and retractions are written from the person's page, which checks who
    # may; here every row ever written is listed, replaced ones included.
    exclude = ["supersedes", "retracted", "recorded_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Activity]:
        return Activity.log.all()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Activity, form: Any, change: bool) -> None:
        services.record_activity(
            obj.person, obj.kind, occurred_at=obj.occurred_at, channel=obj.channel,
            direction=obj.direction, associate=obj.associate or request.user,
            duration_minutes=obj.duration_minutes, subject=obj.subject, body=obj.body,
            data=obj.data, ref=obj.ref,
        )  # fmt: skip


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "person", "from_stage", "to_stage", "cause", "actor"]
    list_filter = ["to_stage", "from_stage", "cause"]
    search_fields = ["person__email", "person__last_name"]
    list_select_related = ["person", "actor"]
    date_hierarchy = "changed_at"


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "color", "people_count"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(_people=Count("person_tags"))

    @admin.display(description="People", ordering="_people")
    def people_count(self, obj: Tag) -> int:
        return getattr(obj, "_people", 0)


@admin.register(AcquisitionChannel)
class AcquisitionChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_paid"]
    list_filter = ["is_paid"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["person", "purpose", "granted_at", "method", "withdrawn_at"]
    list_filter = ["purpose", "method", ("withdrawn_at", admin.EmptyFieldListFilter)]
    search_fields = ["person__email", "person__last_name"]
    list_select_related = ["person"]
    autocomplete_fields = ["person"]


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["referred_at", "referrer", "referred", "note"]
    search_fields = [
        "referrer__email",
        "referred__email",
        "referrer__last_name",
        "referred__last_name",
    ]
    list_select_related = ["referrer", "referred"]
    autocomplete_fields = ["referrer", "referred"]
    date_hierarchy = "referred_at"


@admin.register(CustomFieldDefinition)
class CustomFieldDefinitionAdmin(admin.ModelAdmin):
    list_display = ["label", "key", "entity", "field_type", "required", "sensitive"]
    list_filter = ["entity", "field_type", "required", "sensitive"]
    search_fields = ["label", "key"]


@admin.register(PersonRole)
class PersonRoleAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "since", "note"]
    list_filter = ["role"]
    search_fields = ["person__email", "person__last_name", "note"]
    list_select_related = ["person"]
    autocomplete_fields = ["person"]


@admin.register(MergeRecord)
class MergeRecordAdmin(admin.ModelAdmin):
    list_display = ["merged_at", "survivor", "merged_person_id", "actor"]
    search_fields = ["survivor__email", "survivor__last_name"]
    list_select_related = ["survivor", "actor"]
    readonly_fields = [
        "survivor",
        "merged_person_id",
        "merged_snapshot",
        "moved_counts",
        "merged_at",
        "actor",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PersonTag)
class PersonTagAdmin(admin.ModelAdmin):
    list_display = ["person", "tag", "added_at", "added_by"]
    list_filter = ["tag"]
    search_fields = ["person__email", "person__last_name", "tag__name"]
    list_select_related = ["person", "tag", "added_by"]
    autocomplete_fields = ["person", "tag"]
