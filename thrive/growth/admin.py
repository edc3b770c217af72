from django.contrib import admin

from thrive.core.admin import ReadOnlyAdmin

from .models import (
    BusinessStrategy,
    CanvasFactor,
    CanvasScore,
    CashMonth,
    Competitor,
    Experiment,
    Goal,
    GoalCheckIn,
    HealthCheck,
    JourneyMap,
    JourneyStall,
    MonthlyFigures,
    Playbook,
    PlaybookAssignment,
    PlaybookStep,
    Resource,
    StatusChange,
    StepTick,
    SwotItem,
)


class CheckInInline(admin.TabularInline):
    model = GoalCheckIn
    extra = 0


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["name", "metric", "baseline", "target", "start", "deadline", "owner"]
    inlines = [CheckInInline]


@admin.register(GoalCheckIn)
class GoalCheckInAdmin(admin.ModelAdmin):
    list_display = ["goal", "on", "value", "source"]
    list_filter = ["source"]


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "growth_path", "stance", "score_method"]
    list_filter = ["status", "growth_path", "stance"]
    search_fields = ["title", "hypothesis"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["experiment", "from_status", "to_status", "changed_at", "actor"]


@admin.register(MonthlyFigures)
class MonthlyFiguresAdmin(admin.ModelAdmin):
    list_display = ["month", "revenue", "cost_of_sales", "operating_costs", "employees"]


@admin.register(HealthCheck)
class HealthCheckAdmin(admin.ModelAdmin):
    list_display = ["period_start", "period_end", "created_at", "created_by"]


# -- the assessment, the journey map and playbooks -----------------------------------------

@admin.register(SwotItem)
class SwotItemAdmin(admin.ModelAdmin):
    list_display = ["quadrant", "text", "goal", "experiment"]
    list_filter = ["quadrant"]
    search_fields = ["text"]


@admin.register(Competitor)
class CompetitorAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name", "notes"]


@admin.register(CanvasFactor)
class CanvasFactorAdmin(admin.ModelAdmin):
    list_display = ["name", "our_score", "action", "position"]
    search_fields = ["name"]


@admin.register(CanvasScore)
class CanvasScoreAdmin(admin.ModelAdmin):
    list_display = ["factor", "competitor", "score"]
    list_select_related = ["factor", "competitor"]


@admin.register(CashMonth)
class CashMonthAdmin(admin.ModelAdmin):
    list_display = ["month", "cash_out", "cash_on_hand"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "owner", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "note"]


@admin.register(BusinessStrategy)
class BusinessStrategyAdmin(admin.ModelAdmin):
    list_display = ["stance", "updated_at", "updated_by"]


@admin.register(JourneyMap)
class JourneyMapAdmin(ReadOnlyAdmin):
    """Computed by the worker from the timeline; each run replaces the last."""

    list_display = ["computed_at", "people"]
    exclude = ["payload"]


@admin.register(JourneyStall)
class JourneyStallAdmin(ReadOnlyAdmin):
    list_display = ["journey", "step", "person"]
    search_fields = ["person__email", "step"]
    list_select_related = ["journey", "person"]


class PlaybookStepInline(admin.TabularInline):
    model = PlaybookStep
    extra = 0


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "workflow", "segment"]
    list_filter = ["kind"]
    search_fields = ["title", "summary"]
    inlines = [PlaybookStepInline]


@admin.register(PlaybookStep)
class PlaybookStepAdmin(admin.ModelAdmin):
    list_display = ["playbook", "position", "text", "owner"]
    search_fields = ["text", "playbook__title"]
    list_select_related = ["playbook", "owner"]


@admin.register(PlaybookAssignment)
class PlaybookAssignmentAdmin(admin.ModelAdmin):
    list_display = ["playbook", "associate", "assigned_at", "assigned_by"]
    list_select_related = ["playbook", "associate", "assigned_by"]


@admin.register(StepTick)
class StepTickAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "step", "ticked_at"]
    list_select_related = ["assignment", "step"]
