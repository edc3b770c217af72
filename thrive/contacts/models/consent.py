"""Consent per purpose, with the evidence of how and when it was given or withdrawn."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .choices import ConsentMethod, ConsentPurpose
from .people import Person


class Consent(models.Model):
    """One grant of consent for one purpose, until it is withdrawn.

    A person has at most one active (not withdrawn) grant per purpose; re-consenting
    after a withdrawal creates a new row, so the history is kept whole.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=24, choices=ConsentPurpose.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=24, choices=ConsentMethod.choices)
    source_text = models.TextField(help_text="The words the person agreed to.")
    source_url = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_method = models.CharField(max_length=24, choices=ConsentMethod.choices, blank=True)

    class Meta:
        ordering = ["person", "purpose", "-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_purpose",
                violation_error_message="This person already consents to that purpose.",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("granted_at")),
                name="consent_withdrawn_after_granted",
                violation_error_message="Consent cannot be withdrawn before it was given.",
            ),
        ]

    def __str__(self) -> str:
        state = "withdrawn" if self.withdrawn_at else "active"
        return f"{self.person_id} · {self.get_purpose_display()} · {state}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
