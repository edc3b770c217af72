"""The assessment (SWOT, competitors on a strategy canvas, cash and runway, resources, the
business's generic strategy), the journey map found in the timeline, and playbooks.

Imported by :mod:`thrive.growth.models` so Django registers them with the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from thrive.core.models import TimeStampedModel


class Quadrant(models.TextChoices):
    STRENGTH = "strength", "Strength"
    WEAKNESS = "weakness", "Weakness"
    OPPORTUNITY = "opportunity", "Opportunity"
    THREAT = "threat", "Threat"


class SwotItem(TimeStampedModel):
    """One line of the SWOT; it may have spawned a goal or an experiment (linked back)."""

    quadrant = models.CharField(max_length=12, choices=Quadrant.choices)
    text = models.CharField(max_length=300)
    goal = models.ForeignKey(
        "growth.Goal", null=True, blank=True, on_delete=models.SET_NULL, related_name="swot_items"
    )
    experiment = models.ForeignKey(
        "growth.Experiment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="swot_items",
    )

    class Meta:
        ordering = ["quadrant", "pk"]

    def __str__(self) -> str:
        return f"{self.get_quadrant_display()}: {self.text}"


class CanvasAction(models.TextChoices):
    """The four actions of the Blue Ocean strategy canvas (Kim & Mauborgne 2005)."""

    ELIMINATE = "eliminate", "Eliminate"
    REDUCE = "reduce", "Reduce"
    RAISE = "raise", "Raise"
    CREATE = "create", "Create"
    KEEP = "keep", "Keep as it is"


class Competitor(TimeStampedModel):
    name = models.CharField(max_length=120, unique=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CanvasFactor(TimeStampedModel):
    """A factor customers value, with the business's own score 0–10 and what to do with it."""

    name = models.CharField(max_length=120, unique=True)
    our_score = models.PositiveSmallIntegerField(default=5)
    action = models.CharField(max_length=10, choices=CanvasAction.choices, default="keep")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(our_score__lte=10),
                name="canvasfactor_score_0_10",
                violation_error_message="Scores run from 0 to 10.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CanvasScore(models.Model):
    """How a competitor scores on a factor, 0–10."""

    factor = models.ForeignKey(CanvasFactor, on_delete=models.CASCADE, related_name="scores")
    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["factor", "competitor"], name="canvasscore_once"),
            models.CheckConstraint(
                condition=models.Q(score__lte=10),
                name="canvasscore_score_0_10",
                violation_error_message="Scores run from 0 to 10.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competitor} on {self.factor}: {self.score}"


class CashMonth(models.Model):
    """The owner's cash out in a month and the cash on hand at its end (cash in comes
    from the orders)."""

    month = models.DateField(unique=True, help_text="First day of the month.")
    cash_out = models.DecimalField(max_digits=14, decimal_places=2)
    cash_on_hand = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__day=1),
                name="cashmonth_first_of_month",
                violation_error_message="Cash figures are keyed by the first day of a month.",
            )
        ]

    def __str__(self) -> str:
        return f"Cash of {self.month:%Y-%m}"


class ResourceKind(models.TextChoices):
    SKILL = "skill", "Skill"
    TOOL = "tool", "Tool"
    CAPACITY = "capacity", "Capacity"


class ResourceStatus(models.TextChoices):
    HAVE = "have", "In place"
    BUILDING = "building", "Being built"
    MISSING = "missing", "Missing"


class Resource(TimeStampedModel):
    """One line of the internal-resources checklist."""

    kind = models.CharField(max_length=10, choices=ResourceKind.choices)
    name = models.CharField(max_length=160)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=ResourceStatus.choices, default="missing")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.name


class BusinessStrategy(models.Model):
    """The one generic strategy the business has chosen (a single row)."""

    stance = models.CharField(max_length=16, choices=[
        ("cost", "Cost leadership"), ("differentiation", "Differentiation"), ("focus", "Focus"),
    ])  # fmt: skip
    why = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.get_stance_display()


class JourneyMap(models.Model):
    """The customer journey found in the timeline, computed in the background."""

    computed_at = models.DateTimeField(auto_now_add=True)
    people = models.PositiveIntegerField(default=0)
    payload = models.JSONField(help_text="Steps, transitions, stalls; see journey_map.")

    class Meta:
        ordering = ["-computed_at", "-pk"]

    def __str__(self) -> str:
        return f"Journey map of {self.computed_at:%Y-%m-%d %H:%M}"


class JourneyStall(models.Model):
    """A person stuck at a step of a journey map (no next step for longer than usual)."""

    journey = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="stalls")
    step = models.CharField(max_length=24)
    person = models.ForeignKey("contacts.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["journey", "step"], name="journeystall_step_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} stuck at {self.step}"


class PlaybookKind(models.TextChoices):
    PLAYBOOK = "playbook", "Playbook"
    PROCEDURE = "procedure", "Standard procedure"


class Playbook(TimeStampedModel):
    """What worked, made repeatable: automated parts (workflow, segment, templates) and the
    manual steps people follow."""

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=PlaybookKind.choices, default="playbook")
    summary = models.TextField(blank=True)
    experiment = models.OneToOneField(
        "growth.Experiment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="playbook",
    )
    workflow = models.ForeignKey(
        "automations.Workflow", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    segment = models.ForeignKey(
        "segments.Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    templates = models.ManyToManyField("outreach.EmailTemplate", blank=True, related_name="+")

    class Meta:
        ordering = ["kind", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class PlaybookStep(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class PlaybookAssignment(models.Model):
    """An associate learning a playbook; trained once every step is ticked."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="assignments")
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playbook_assignments"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["playbook", "associate"], name="playbook_assign_once")
        ]

    def __str__(self) -> str:
        return f"{self.associate} on {self.playbook}"


class StepTick(models.Model):
    assignment = models.ForeignKey(
        PlaybookAssignment, on_delete=models.CASCADE, related_name="ticks"
    )
    step = models.ForeignKey(PlaybookStep, on_delete=models.CASCADE, related_name="ticks")
    ticked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "step"], name="steptick_once")]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.step}"
