"""Workflows and their steps: what happens to a person, in order, once a trigger fires.

The step list and its JSON format are described (and validated) in
:mod:`thrive.automations.definition`; the engine in :mod:`thrive.automations.engine`.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from thrive.core.models import TimeStampedModel


class TriggerKind(models.TextChoices):
    STAGE_CHANGED = "stage_changed", "Stage changed"
    TAG_ADDED = "tag_added", "Tag added"
    TAG_REMOVED = "tag_removed", "Tag removed"
    ORDER_PLACED = "order_placed", "Order placed"
    FORM_SUBMITTED = "form_submitted", "Form submitted"
    SURVEY_ANSWERED = "survey_answered", "Survey answered"
    IDEA_STATUS_CHANGED = "idea_status_changed", "Idea status changed"
    DATE_ANNIVERSARY = "date_anniversary", "Date anniversary"
    SEGMENT_ENTERED = "segment_entered", "Entered a segment"
    SEGMENT_LEFT = "segment_left", "Left a segment"
    MANUAL = "manual", "Enrolled by hand"
    DEAL_STAGE_CHANGED = "deal_stage_changed", "A deal moved to another stage"
    DEAL_WON = "deal_won", "A deal was won"
    DEAL_LOST = "deal_lost", "A deal was lost"
    PRODUCT_BOUGHT = "product_bought", "A product was bought"


class StepKind(models.TextChoices):
    CONDITION = "condition", "If / else"
    WAIT = "wait", "Wait for a while"
    WAIT_UNTIL = "wait_until", "Wait until a local time"
    WAIT_EVENT = "wait_event", "Wait for something to happen"
    SEND_EMAIL = "send_email", "Send an email"
    DRAFT_EMAIL = "draft_email", "Draft a personal email"
    SEND_SURVEY = "send_survey", "Send an NPS survey"
    ENROLL_SEQUENCE = "enroll_sequence", "Enrol in an email sequence"
    ADD_TAG = "add_tag", "Add a tag"
    REMOVE_TAG = "remove_tag", "Remove a tag"
    CHANGE_STAGE = "change_stage", "Change the stage"
    CREATE_TASK = "create_task", "Create a task"
    NOTIFY = "notify", "Notify an associate"
    WEBHOOK = "webhook", "Call a webhook"


class WorkflowStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"


class Reentry(models.TextChoices):
    NEVER = "never", "Never: once per person"
    AFTER_DAYS = "after_days", "Again after some days"
    ALWAYS = "always", "Whenever the trigger fires again"


def new_secret() -> str:
    return secrets.token_hex(32)


def no_goal() -> dict[str, Any]:
    return {}


class Workflow(TimeStampedModel):
    """A trigger, a numbered list of steps, an optional goal and a re-entry rule.

    Only active workflows enrol people and move them along; a paused one keeps everyone
    where they are (events they wait for are still noted) until it is resumed.
    """

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    trigger = models.CharField(max_length=24, choices=TriggerKind.choices)
    trigger_config = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=8, choices=WorkflowStatus.choices, default=WorkflowStatus.DRAFT
    )
    reentry = models.CharField(max_length=12, choices=Reentry.choices, default=Reentry.NEVER)
    reentry_days = models.PositiveIntegerField(null=True, blank=True)
    goal = models.JSONField(
        default=no_goal, blank=True, help_text="Segment rules; meeting them ends the workflow."
    )
    secret = models.CharField(
        max_length=64, default=new_secret, help_text="Signs this workflow's webhook calls."
    )
    version = models.PositiveIntegerField(default=1)
    # Bookkeeping of the scanning triggers (anniversaries: the last day scanned).
    trigger_state = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reentry="after_days") | models.Q(reentry_days__gte=1),
                name="workflow_reentry_days_set",
                violation_error_message="Say after how many days someone may enter again.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workflow", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == WorkflowStatus.ACTIVE


class Step(models.Model):
    """One numbered step. ``config`` holds the step's settings and where to go next."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=StepKind.choices)
    config = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["workflow", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "position"],
                name="step_position_once",
                violation_error_message="Two steps cannot share a number.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.workflow_id}.{self.position} {self.kind}"
