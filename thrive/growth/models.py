"""Goals with check-ins, the experiment backlog with its A/B numbers, health checks."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from thrive.core.models import TimeStampedModel
from thrive.insights.abtest import bayes_proportions, means_test, proportions_test

# KPIs of the dashboard a goal can follow live: key → (label, unit, better direction).
LIVE_KPIS: dict[str, tuple[str, str]] = {
    "repeat_rate": ("Repeat-purchase rate", "%"),
    "retention_m3": ("Customers still buying in month 3", "%"),
    "revenue": ("Revenue, last 90 days", "money"),
    "new_clients": ("New clients, last 90 days", ""),
    "nps": ("Net Promoter Score", ""),
    "cac": ("Blended CAC", "money"),
    "clv": ("Predicted customer value (12 months)", "money"),
    "funnel": ("Suspect → client conversion", "%"),
    "automation_rate": ("Process automation rate", "%"),
    "participation": ("Ecosystem participation", "%"),
    "revenue_per_employee": ("Revenue per employee (12 months)", "money"),
    "time_to_market": ("Idea time to market, median days", "days"),
}
CUSTOM = "custom"


class Goal(TimeStampedModel):
    """A SMART goal: one number from a baseline to a target between two dates, one owner."""

    name = models.CharField(max_length=200)
    metric = models.CharField(
        max_length=40, help_text="A dashboard KPI key, or “custom” for manual check-ins."
    )
    custom_label = models.CharField(max_length=120, blank=True)
    unit = models.CharField(max_length=12, blank=True, help_text="%, money, days or blank.")
    baseline = models.FloatField()
    target = models.FloatField()
    start = models.DateField()
    deadline = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="growth_goals"
    )
    why = models.TextField(blank=True, help_text="Why it matters; what success changes.")
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["archived", "deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("start")),
                name="goal_deadline_after_start",
                violation_error_message="The deadline must come after the start.",
            ),
            models.CheckConstraint(
                condition=~models.Q(target=models.F("baseline")),
                name="goal_target_differs",
                violation_error_message="The target must differ from the baseline.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_live(self) -> bool:
        return self.metric in LIVE_KPIS

    @property
    def metric_label(self) -> str:
        if self.is_live:
            return LIVE_KPIS[self.metric][0]
        return self.custom_label or "Custom metric"


class CheckInSource(models.TextChoices):
    LIVE = "live", "From the dashboard"
    MANUAL = "manual", "Entered by hand"


class GoalCheckIn(models.Model):
    """The goal's number on one day: read from the dashboard or entered by hand."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="check_ins")
    on = models.DateField()
    value = models.FloatField()
    source = models.CharField(max_length=8, choices=CheckInSource.choices)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["goal", "on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "on", "source"],
                name="goalcheckin_once_a_day",
                violation_error_message="This goal already has a check-in of that kind that day.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.goal} on {self.on}: {self.value}"


class GrowthPath(models.TextChoices):
    """Ansoff's product–market matrix (Ansoff 1957, HBR 35(5):113–124)."""

    PENETRATION = "penetration", "Market penetration"
    MARKET_DEVELOPMENT = "market_development", "Market development"
    PRODUCT_DEVELOPMENT = "product_development", "Product development"
    DIVERSIFICATION = "diversification", "Diversification"


class Stance(models.TextChoices):
    """Porter's generic competitive strategies (Porter 1985, *Competitive Advantage*)."""

    COST = "cost", "Cost leadership"
    DIFFERENTIATION = "differentiation", "Differentiation"
    FOCUS = "focus", "Focus"


class ScoreMethod(models.TextChoices):
    ICE = "ice", "ICE"
    RICE = "rice", "RICE"


class ExperimentStatus(models.TextChoices):
    IDEA = "idea", "Idea"
    RUNNING = "running", "Running"
    MEASURED = "measured", "Measured"
    SCALED = "scaled", "Scaled"
    STOPPED = "stopped", "Stopped"


class MeasureKind(models.TextChoices):
    PROPORTION = "proportion", "A rate (people who did it ÷ people in the arm)"
    MEAN = "mean", "An average (e.g. order value)"


class CampaignOutcome(models.TextChoices):
    """What a linked campaign's variants are judged on when their numbers are read."""

    CLICKED = "clicked", "Clicked (of the people reached)"
    ORDERED = "ordered", "Ordered within the window (of the people picked)"
    REVENUE = "revenue", "Revenue per person within the window (of the people picked)"


OUTCOME_WINDOWS = ((14, "14 days"), (30, "30 days"), (60, "60 days"))


# The status flow: idea → running → measured → scaled or stopped; stop at any time.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    ExperimentStatus.IDEA: (ExperimentStatus.RUNNING, ExperimentStatus.STOPPED),
    ExperimentStatus.RUNNING: (ExperimentStatus.MEASURED, ExperimentStatus.STOPPED),
    ExperimentStatus.MEASURED: (ExperimentStatus.SCALED, ExperimentStatus.STOPPED),
    ExperimentStatus.SCALED: (),
    ExperimentStatus.STOPPED: (),
}


class Experiment(TimeStampedModel):
    """One growth initiative: a hypothesis, what it should move, how it scores, and the
    A/B numbers that decide it (control A against variant B)."""

    title = models.CharField(max_length=200)
    hypothesis = models.TextField(
        help_text="We believe that <change> for <people> will <effect>, because <reason>."
    )
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="experiments"
    )
    kpi = models.CharField(max_length=120, help_text="The number it should move.")
    growth_path = models.CharField(max_length=24, choices=GrowthPath.choices)
    stance = models.CharField(max_length=16, choices=Stance.choices)
    score_method = models.CharField(max_length=4, choices=ScoreMethod.choices, default="ice")
    reach = models.PositiveIntegerField(default=0, help_text="RICE: people per quarter.")
    impact = models.FloatField(default=5, help_text="ICE 1–10; RICE 0.25, 0.5, 1, 2 or 3.")
    confidence = models.FloatField(default=5, help_text="ICE 1–10; RICE percent (0–100).")
    ease = models.FloatField(default=5, help_text="ICE 1–10.")
    effort = models.FloatField(default=1, help_text="RICE: person-months.")
    status = models.CharField(
        max_length=10, choices=ExperimentStatus.choices, default=ExperimentStatus.IDEA
    )
    campaign = models.ForeignKey(
        "outreach.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A campaign whose variants A and B give the numbers.",
    )
    measure = models.CharField(
        max_length=12, choices=MeasureKind.choices, default=MeasureKind.PROPORTION
    )
    campaign_outcome = models.CharField(
        max_length=10,
        choices=CampaignOutcome.choices,
        default=CampaignOutcome.CLICKED,
        help_text="With a campaign: what its variants A and B are compared on.",
    )
    outcome_days = models.PositiveSmallIntegerField(
        choices=OUTCOME_WINDOWS,
        default=30,
        help_text="Orders and revenue count within this many days of each person's pick.",
    )
    alpha = models.FloatField(default=0.05)
    planned_per_arm = models.PositiveIntegerField(default=0)
    # Proportions: n and successes per arm. Means: n, mean and standard deviation.
    n_a = models.PositiveIntegerField(default=0)
    x_a = models.PositiveIntegerField(default=0)
    n_b = models.PositiveIntegerField(default=0)
    x_b = models.PositiveIntegerField(default=0)
    mean_a = models.FloatField(null=True, blank=True)
    sd_a = models.FloatField(null=True, blank=True)
    mean_b = models.FloatField(null=True, blank=True)
    sd_b = models.FloatField(null=True, blank=True)
    looks = models.PositiveIntegerField(
        default=0, help_text="How often results were looked at before the planned size."
    )
    started_on = models.DateField(null=True, blank=True)
    measured_on = models.DateField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    idea = models.ForeignKey(
        "voice.Idea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experiments",
        help_text="The customers' idea it tests; its voters hear when it ships.",
    )
    reach_segment = models.ForeignKey(
        "segments.Segment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="RICE reach is this segment's size, counted when saved.",
    )

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(x_a__lte=models.F("n_a")) & models.Q(x_b__lte=models.F("n_b")),
                name="experiment_successes_within_arm",
                violation_error_message="Successes cannot exceed the people in an arm.",
            ),
            models.CheckConstraint(
                condition=models.Q(alpha__gt=0) & models.Q(alpha__lt=0.5),
                name="experiment_alpha_range",
                violation_error_message="The significance level must lie between 0 and 0.5.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> float:
        """ICE = (impact + confidence + ease) ÷ 3, each 1–10 (Ellis, *Hacking Growth*, 2017);
        RICE = reach × impact × confidence% ÷ effort (McBride, Intercom, 2016)."""
        if self.score_method == ScoreMethod.RICE:
            return self.reach * self.impact * (self.confidence / 100) / max(self.effort, 0.01)
        return (self.impact + self.confidence + self.ease) / 3

    def result(self) -> Any:
        """The frequentist test of B against A, or None while there are no numbers."""
        try:
            if self.measure == MeasureKind.MEAN:
                if self.mean_a is None or self.sd_a is None:
                    return None
                if self.mean_b is None or self.sd_b is None:
                    return None
                return means_test(
                    self.mean_a,
                    self.sd_a,
                    self.n_a,
                    self.mean_b,
                    self.sd_b,
                    self.n_b,
                    alpha=self.alpha,
                )
            if not (self.n_a and self.n_b):
                return None
            return proportions_test(self.n_a, self.x_a, self.n_b, self.x_b, alpha=self.alpha)
        except ValueError:
            return None

    def bayes(self) -> Any:
        if self.measure != MeasureKind.PROPORTION or not (self.n_a and self.n_b):
            return None
        try:
            return bayes_proportions(self.n_a, self.x_a, self.n_b, self.x_b)
        except ValueError:
            return None

    @property
    def reached_plan(self) -> bool:
        return bool(self.planned_per_arm) and min(self.n_a, self.n_b) >= self.planned_per_arm

    @property
    def nailed(self) -> bool:
        """Measured, at the planned size, and B beat A significantly."""
        result = self.result()
        return (
            self.status in (ExperimentStatus.MEASURED, ExperimentStatus.SCALED)
            and result is not None
            and result.significant
            and result.difference > 0
            and (self.reached_plan or not self.planned_per_arm)
        )

    def check_transition(self, to: str) -> None:
        """Raise ValidationError unless the flow allows ``to`` now (with its evidence)."""
        if to not in NEXT_STATUSES.get(self.status, ()):
            raise ValidationError(
                f"An experiment that is “{self.get_status_display()}” cannot become "
                f"“{ExperimentStatus(to).label}”."
            )
        if to == ExperimentStatus.MEASURED and self.result() is None:
            raise ValidationError("Enter the numbers of both arms before marking it measured.")
        if to == ExperimentStatus.SCALED:
            result = self.result()
            if result is None or not result.significant or result.difference <= 0:
                p = "no result" if result is None else f"p = {result.p_value:.3f}"
                raise ValidationError(
                    "Only a significant measured improvement can be scaled "
                    f"({p}, needs p < {self.alpha:g} with B better than A)."
                )
            if self.planned_per_arm and not self.reached_plan:
                raise ValidationError(
                    "The test has not reached its planned sample size; a verdict now would "
                    "be peeking."
                )


class StatusChange(models.Model):
    """Who moved an experiment along the flow, when, and why."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=10, choices=ExperimentStatus.choices)
    to_status = models.CharField(max_length=10, choices=ExperimentStatus.choices)
    changed_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.experiment}: {self.from_status} → {self.to_status}"


class MonthlyFigures(models.Model):
    """The owner's own monthly numbers (from the books) for the health check."""

    month = models.DateField(unique=True, help_text="First day of the month.")
    revenue = models.DecimalField(max_digits=14, decimal_places=2)
    cost_of_sales = models.DecimalField(max_digits=14, decimal_places=2)
    operating_costs = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    employees = models.FloatField(default=1, help_text="Full-time equivalents.")
    currency = models.CharField(max_length=3, default="USD")

    class Meta:
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__day=1),
                name="monthlyfigures_first_of_month",
                violation_error_message="Monthly figures are keyed by the first day of a month.",
            ),
        ]

    def __str__(self) -> str:
        return f"Figures of {self.month:%Y-%m}"

    @property
    def gross_margin(self) -> float:
        revenue = float(self.revenue)
        return (revenue - float(self.cost_of_sales)) / revenue if revenue else math.nan


class HealthCheck(models.Model):
    """One periodic assessment, frozen when made so later checks compare against it."""

    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day of the period.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    competitive_notes = models.TextField(blank=True)
    summary = models.TextField(blank=True, help_text="The owner's own reading of the period.")
    figures = models.JSONField(help_text="Every number of the check as computed that day.")

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")),
                name="healthcheck_period_order",
                violation_error_message="The period must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"Health check {self.period_start} – {self.period_end}"

    def previous(self) -> HealthCheck | None:
        return (
            HealthCheck.objects.filter(period_end__lt=self.period_end)
            .order_by("-period_end", "-pk")
            .first()
        )


# The assessment, the journey map and playbooks live in their own module.
from .planning_models import (  # noqa: E402
    BusinessStrategy,
    CanvasAction,
    CanvasFactor,
    CanvasScore,
    CashMonth,
    Competitor,
    JourneyMap,
    JourneyStall,
    Playbook,
    PlaybookAssignment,
    PlaybookKind,
    PlaybookStep,
    Quadrant,
    Resource,
    ResourceKind,
    ResourceStatus,
    StepTick,
    SwotItem,
)

__all__ = [
    "BusinessStrategy",
    "CanvasAction",
    "CanvasFactor",
    "CanvasScore",
    "CashMonth",
    "Competitor",
    "JourneyMap",
    "JourneyStall",
    "Playbook",
    "PlaybookAssignment",
    "PlaybookKind",
    "PlaybookStep",
    "Quadrant",
    "Resource",
    "ResourceKind",
    "ResourceStatus",
    "StepTick",
    "SwotItem",
]
