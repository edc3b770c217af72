"""Lead-capture forms: what a form asks, what it does with an answer, and each answer."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from thrive.contacts.models import ConsentPurpose, Person
from thrive.core.models import TimeStampedModel
from thrive.outreach.models import Sequence


def validate_web_address(value: str) -> None:
    # A redirect goes wherever the owner says, but only to a web page: never javascript:,
    # data: or a path that could be mistaken for one of Thrive's own pages.
    if value and not value.lower().startswith(("http://", "https://")):
        raise ValidationError("Enter a web address starting with http:// or https://.")


class LeadForm(TimeStampedModel):
    """A form the business puts on its site: hosted at /f/<slug>/ and embeddable."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True, help_text="The form's address: /f/<slug>/.")
    intro = models.TextField(blank=True, help_text="A line or two above the fields.")
    button_label = models.CharField(max_length=40, default="Send")
    # Purpose -> the words shown beside its tick box. Only purposes listed are asked.
    consent_texts = models.JSONField(default=dict, blank=True)
    thank_you_text = models.TextField(blank=True)
    redirect_url = models.URLField(
        max_length=500, blank=True, validators=[validate_web_address],
        help_text="Send people here after they submit, instead of the thank-you text.",
    )  # fmt: skip
    sequence = models.ForeignKey(
        Sequence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.CharField(max_length=255, blank=True, help_text="Comma-separated tags.")
    notify = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    is_active = models.BooleanField(default=True, help_text="Closed forms take no answers.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("leadform", args=[self.pk])

    def clean(self) -> None:
        if not isinstance(self.consent_texts, dict):
            raise ValidationError({"consent_texts": "Consent texts are a purpose → words map."})
        unknown = set(self.consent_texts) - set(ConsentPurpose.values)
        if unknown:
            raise ValidationError({"consent_texts": f"Unknown purposes: {sorted(unknown)}."})

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    @property
    def asks_marketing(self) -> bool:
        return bool(self.consent_texts.get(ConsentPurpose.EMAIL_MARKETING))


class FormField(models.Model):
    """One question: which person field or custom field the answer goes to."""

    form = models.ForeignKey(LeadForm, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField()
    # A person field ("first_name") or "custom:<key>" for a person custom field.
    target = models.CharField(max_length=80)
    label = models.CharField(max_length=120)
    required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["form", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "target"], name="leadform_field_once_per_form",
                violation_error_message="Each field can be asked once per form.",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.label


class Submission(models.Model):
    """One answer to a form, and what became of it."""

    form = models.ForeignKey(LeadForm, on_delete=models.CASCADE, related_name="submissions")
    # A visible reverse relation (not "+"): erasure finds every row that points at a
    # person through Person's reverse relations, and scrubs what they typed.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="leadform_submissions"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    values = models.JSONField(default=dict, help_text="Label → answer, as sent.")
    new_person = models.BooleanField(default=False, help_text="The form created the person.")
    consents = models.JSONField(default=list, help_text="Purposes ticked.")
    # Marketing consent asked: nothing marketing happens until the link is followed.
    awaiting_confirmation = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    enrolled = models.BooleanField(default=False, help_text="Enrolled in the form's sequence.")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["form", "submitted_at"], name="leadform_sub_form_idx")]

    def __str__(self) -> str:
        return f"{self.form} · {self.person}"
