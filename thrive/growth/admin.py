from django.contrib import admin

from .models import Experiment, Goal, GoalCheckIn, HealthCheck, MonthlyFigures, StatusChange


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
