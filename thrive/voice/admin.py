"""Customer-voice records in the admin. Votes, status history, merges, answers and the
portal's records are read-only there: the services keep timelines and emails whole."""

from __future__ import annotations

from django.contrib import admin

from thrive.core.admin import ReadOnlyAdmin
from thrive.core.models import RateCounter

from .models import (
    Comment,
    Idea,
    IdeaMerge,
    IdeaStatusChange,
    MagicLink,
    SendJob,
    Survey,
    SurveyInvite,
    SurveyResponse,
    ThemeMessage,
    ThemeRun,
    Vote,
)


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "author", "created_at", "merged_into"]
    list_filter = ["status"]
    search_fields = ["title", "body"]
    raw_id_fields = ["author", "merged_into"]
    # Status changes go through the staff page so voters hear about them.
    readonly_fields = ["status", "status_changed_at", "done_at", "merged_into", "logged_by"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["idea", "person", "associate", "created_at", "hidden"]
    list_filter = ["hidden"]
    search_fields = ["body"]
    raw_id_fields = ["idea", "person"]
    fields = ["idea", "person", "associate", "body", "hidden", "created_at"]
    readonly_fields = ["idea", "person", "associate", "body", "created_at"]


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["idea", "person", "importance", "notify", "created_at"]
    list_filter = ["importance"]
    search_fields = ["idea__title", "person__email"]


@admin.register(IdeaStatusChange)
class IdeaStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["idea", "from_status", "to_status", "actor", "changed_at", "voters_notified"]
    search_fields = ["idea__title"]


@admin.register(IdeaMerge)
class IdeaMergeAdmin(ReadOnlyAdmin):
    list_display = ["duplicate", "into", "votes_moved", "votes_combined", "merged_at"]
    search_fields = ["duplicate__title", "into__title"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["name", "segment", "owner", "cooldown_days", "created_at"]
    search_fields = ["name", "question"]


@admin.register(SurveyInvite)
class SurveyInviteAdmin(ReadOnlyAdmin):
    list_display = ["survey", "person", "status", "sent_at"]
    list_filter = ["status"]
    search_fields = ["person__email", "survey__name"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ["survey", "person", "score", "answered_at"]
    search_fields = ["person__email", "comment"]


@admin.register(MagicLink)
class MagicLinkAdmin(ReadOnlyAdmin):
    list_display = ["email", "created_at", "used_at", "ip_address"]
    search_fields = ["email"]


@admin.register(RateCounter)  # counters of every public form (thrive.core.ratelimit)
class RateCounterAdmin(ReadOnlyAdmin):
    list_display = ["key", "window_start", "hits"]
    search_fields = ["key"]


@admin.register(SendJob)
class SendJobAdmin(ReadOnlyAdmin):
    list_display = ["kind", "survey", "status_change", "state", "done", "total", "queued",
                    "created_at", "finished_at"]  # fmt: skip
    list_filter = ["kind", "state"]


@admin.register(ThemeRun)
class ThemeRunAdmin(ReadOnlyAdmin):
    """Computed by the background run; /voice/themes/ shows the newest."""

    list_display = ["requested_at", "state", "message_count", "finished_at", "requested_by"]
    list_filter = ["state"]
    search_fields = ["error"]


@admin.register(ThemeMessage)
class ThemeMessageAdmin(ReadOnlyAdmin):
    list_display = ["said_at", "source", "feeling", "theme", "run"]
    list_filter = ["source", "feeling"]
    search_fields = ["text"]
    raw_id_fields = ["run"]
