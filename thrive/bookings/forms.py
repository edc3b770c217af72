"""Validation of the booking page's and the staff page's input."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

from .models import SessionType, Weekday
from .slots import Window

DAY_FIELDS = [(day.value, day.label.lower(), day.label) for day in Weekday]
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def consent_wording(business: str) -> str:
    return (
        f"I agree that {business} keeps my name, email and note to arrange this session "
        "and to email me about it."
    )


class BookingForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(max_length=254)
    note = forms.CharField(
        label="What would you like to talk about?",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": "Please agree so we can arrange the session."},
    )
    news = forms.BooleanField(
        required=False, label="Send me news and offers by email. I can unsubscribe at any time."
    )

    def __init__(self, *args: Any, business: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_wording(business)


def _parse_time(hours: str, minutes: str) -> dt.time | None:
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return dt.time(23, 59)
    if h > 23 or m > 59:
        return None
    return dt.time(h, m)


class WeeklyHoursForm(forms.Form):
    """One text field per weekday, e.g. ``09:00-12:00, 14:00-17:00``; blank for none."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for _, name, label in DAY_FIELDS:
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"placeholder": "e.g. 09:00-12:00, 14:00-17:00"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        windows: list[Window] = []
        for day, name, label in DAY_FIELDS:
            raw = (data.get(name) or "").strip()
            for part in filter(None, (p.strip() for p in raw.split(","))):
                match = _RANGE.match(part)
                start = _parse_time(*match.groups()[:2]) if match else None
                end = _parse_time(*match.groups()[2:]) if match else None
                if start is None or end is None:
                    self.add_error(name, f"{label}: “{part}” is not a range like 09:00-12:00.")
                    continue
                if end <= start:
                    self.add_error(name, f"{label}: {part} ends before it starts.")
                    continue
                windows.append(Window(day, start, end))
        data["windows"] = windows
        return data

    @staticmethod
    def initial_for(windows: list[Window]) -> dict[str, str]:
        initial: dict[str, list[str]] = {}
        for window in windows:
            name = DAY_FIELDS[window.weekday][1]
            initial.setdefault(name, []).append(f"{window.start:%H:%M}-{window.end:%H:%M}")
        return {name: ", ".join(parts) for name, parts in initial.items()}


class SessionTypeForm(forms.ModelForm):
    class Meta:
        model = SessionType
        fields = [
            "name", "description", "minutes", "buffer_before_minutes", "buffer_after_minutes",
            "min_notice_hours", "max_days_ahead",
        ]  # fmt: skip
        labels = {
            "minutes": "Length (minutes)",
            "buffer_before_minutes": "Buffer before (minutes)",
            "buffer_after_minutes": "Buffer after (minutes)",
            "min_notice_hours": "Minimum notice (hours)",
            "max_days_ahead": "Bookable up to (days ahead)",
        }
