"""Validation of the booking page's and the staff page's input."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

from .models import IntakeQuestion, QuestionKind, SessionType, Weekday
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

    def __init__(
        self, *args: Any, business: str, questions: list[IntakeQuestion] | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_wording(business)
        self.question_names: list[str] = []
        for question in questions or []:
            name = f"q{question.pk}"
            field: forms.Field
            if question.kind == QuestionKind.CHOICE:
                options = [("", "Choose…")] + [(o, o) for o in question.options]
                field = forms.ChoiceField(choices=options)
            else:
                field = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
            field.label = question.label
            field.required = question.required
            field.error_messages["required"] = "Please answer this question."
            self.fields[name] = field
            self.question_names.append(name)

    def question_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.question_names]

    def raw_answers(self) -> dict[str, str]:
        return {name: str(self.cleaned_data.get(name) or "") for name in self.question_names}


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
            "min_notice_hours", "max_days_ahead", "video_link", "associates",
        ]  # fmt: skip
        widgets = {"associates": forms.CheckboxSelectMultiple}
        labels = {
            "minutes": "Length (minutes)",
            "buffer_before_minutes": "Buffer before (minutes)",
            "buffer_after_minutes": "Buffer after (minutes)",
            "min_notice_hours": "Minimum notice (hours)",
            "max_days_ahead": "Bookable up to (days ahead)",
            "video_link": "Video-meeting link (optional)",
            "associates": "Round robin: shared by (optional)",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["associates"].queryset = (  # type: ignore[attr-defined]
            get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
        )


class QuestionForm(forms.Form):
    session_type = forms.ModelChoiceField(queryset=SessionType.objects.filter(active=True))
    label = forms.CharField(max_length=200, label="Question")
    kind = forms.ChoiceField(choices=QuestionKind.choices, label="Answer")
    choices = forms.CharField(
        required=False, label="Options (for a choice, one per line)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    required = forms.BooleanField(required=False, label="Must be answered")


class CalendarForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("ical", "iCal busy feed (.ics link)"), ("caldav", "CalDAV calendar")],
        label="Calendar type",
    )
    name = forms.CharField(max_length=100, required=False, label="Name (optional)")
    url = forms.CharField(
        max_length=1000, label="Address",
        widget=forms.URLInput(attrs={"placeholder": "https://…"}),
    )  # fmt: skip
    username = forms.CharField(max_length=200, required=False, label="Username (CalDAV)")
    password = forms.CharField(
        max_length=500, required=False, label="Password (CalDAV; kept encrypted)",
        widget=forms.PasswordInput(render_value=False),
    )  # fmt: skip


class DatesForm(forms.Form):
    """Different hours on some dates, or time off (hours left blank)."""

    first_day = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(
        label="To (optional)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    hours = forms.CharField(
        required=False, max_length=200, label="Hours (blank: time off)",
        widget=forms.TextInput(attrs={"placeholder": "e.g. 10:00-13:00"}),
    )  # fmt: skip
    note = forms.CharField(required=False, max_length=200, label="Note (optional)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        windows: list[tuple[dt.time, dt.time]] = []
        for part in filter(None, (p.strip() for p in (data.get("hours") or "").split(","))):
            match = _RANGE.match(part)
            start = _parse_time(*match.groups()[:2]) if match else None
            end = _parse_time(*match.groups()[2:]) if match else None
            if start is None or end is None:
                self.add_error("hours", f"“{part}” is not a range like 09:00-12:00.")
            elif end <= start:
                self.add_error("hours", f"{part} ends before it starts.")
            else:
                windows.append((start, end))
        data["windows"] = windows
        if data.get("first_day") and not data.get("last_day"):
            data["last_day"] = data["first_day"]
        return data
