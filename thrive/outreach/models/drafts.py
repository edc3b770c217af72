"""Personal emails pre-filled by an automation for an associate to review and send."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from thrive.contacts.models import Person
from thrive.core.models import TimeStampedModel

from .choices import DraftStatus
from .deliveries import Delivery
from .templates import EmailTemplate


class Draft(TimeStampedModel):
    idempotency_key = models.CharField(max_length=200, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="email_drafts")
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    template = models.ForeignKey(
        EmailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(
        max_length=12, choices=DraftStatus.choices, default=DraftStatus.PENDING
    )
    reason = models.JSONField(default=dict, blank=True)
    delivery = models.OneToOneField(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="draft"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Draft to {self.person} · {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("outreach_draft", args=[self.pk])
