"""The associate's notification choices."""

from __future__ import annotations

from django import forms

from .models import NotificationSettings, UrgentKind

HOURS = [(h, f"{h:02d}:00") for h in range(24)]


class NotificationSettingsForm(forms.Form):
    daily_digest = forms.BooleanField(required=False, label="Send me a daily digest")
    digest_hour = forms.TypedChoiceField(
        choices=HOURS, coerce=int, label="At (my own time)",
        error_messages={"invalid_choice": "Choose an hour from 00:00 to 23:00."},
    )  # fmt: skip
    urgent_detractor = forms.BooleanField(required=False, label=UrgentKind.DETRACTOR.label)
    urgent_booking = forms.BooleanField(required=False, label=UrgentKind.BOOKING.label)
    urgent_ideal_form = forms.BooleanField(required=False, label=UrgentKind.IDEAL_FORM.label)
    urgent_workflow = forms.BooleanField(required=False, label=UrgentKind.WORKFLOW.label)
    urgent_lead_form = forms.BooleanField(required=False, label=UrgentKind.LEAD_FORM.label)

    @classmethod
    def for_settings(cls, row: NotificationSettings) -> NotificationSettingsForm:
        return cls(initial={name: getattr(row, name) for name in cls.base_fields})
