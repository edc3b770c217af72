"""Sequences (autoresponders): steps sent one after another with delays."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from thrive.contacts.models import Person
from thrive.core.models import TimeStampedModel

from .choices import EnrollmentStatus, MessagePurpose, OnCap
from .templates import EmailTemplate


class Sequence(TimeStampedModel):
    name = models.CharField(max_length=160, unique=True)
    description = models.TextField(blank=True)
    purpose = models.CharField(
        max_length=24, choices=MessagePurpose.choices, default=MessagePurpose.EMAIL_MARKETING
    )
    on_cap = models.CharField(max_length=8, choices=OnCap.choices, default=OnCap.DEFER)
    is_active = models.BooleanField(
        default=True, help_text="Paused sequences enrol nobody and send nothing."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sequence", args=[self.pk])


class SequenceStep(models.Model):
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(help_text="1 for the first step.")
    delay_hours = models.PositiveIntegerField(
        default=0, help_text="Hours after enrolment (first step) or after the previous step."
    )
    template = models.ForeignKey(EmailTemplate, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["sequence", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["sequence", "position"],
                name="sequencestep_position_once",
                violation_error_message="This sequence already has a step at that position.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sequence} · step {self.position}"


class SequenceEnrollment(models.Model):
    """One person going through one sequence; ``next_position`` is the step to send next."""

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="enrollments")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="sequence_enrollments"
    )
    status = models.CharField(
        max_length=12, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    next_position = models.PositiveSmallIntegerField(default=1)
    next_run_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reason = models.JSONField(default=dict, blank=True, help_text="Why they were enrolled.")

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sequence", "person"],
                condition=models.Q(status="active"),
                name="outreach_enrolment_one_active",
                violation_error_message="This person is already going through this sequence.",
            )
        ]
        indexes = [
            # The sender's look-up of enrolments whose next step is due.
            models.Index(fields=["status", "next_run_at"], name="outreach_seq_enrol_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.sequence}"
