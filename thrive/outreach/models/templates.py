"""Email templates: a subject, an HTML part and a plain-text part with merge fields."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from thrive.core.models import TimeStampedModel


class EmailTemplate(TimeStampedModel):
    """What a message says. Merge fields are checked when the template is saved
    (see :mod:`thrive.outreach.email_templates.sandbox`), so sending never meets a broken
    template."""

    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=255)
    html_body = models.TextField(blank=True, help_text="The HTML part.")
    text_body = models.TextField(
        blank=True, help_text="The plain-text part; made from the HTML part when blank."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="emailtemplate_name_unique_ci",
                violation_error_message="A template with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("outreach_template", args=[self.pk])

    def clean(self) -> None:
        from thrive.outreach.email_templates.sandbox import template_problems

        if not self.html_body.strip() and not self.text_body.strip():
            raise ValidationError({"html_body": "Write an HTML part, a plain-text part or both."})
        problems = template_problems(
            subject=self.subject, html_body=self.html_body, text_body=self.text_body
        )
        if problems:
            raise ValidationError(problems)
