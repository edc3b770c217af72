"""Forms of the shared inbox: plain fields, checked again by the services."""

from __future__ import annotations

from django import forms

from thrive.accounts.models import Associate

from .models import Priority, Status


class ReplyForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label="Your reply")
    status = forms.ChoiceField(
        choices=Status.choices, initial=Status.WAITING, label="Then set the status to"
    )
    minutes = forms.IntegerField(
        min_value=0, max_value=1440, required=False, initial=5, label="Minutes spent",
        help_text="Counts in time with customers.",
    )  # fmt: skip
    seen = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class NoteForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Internal note (not emailed)"
    )


class TriageForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    priority = forms.ChoiceField(choices=Priority.choices)
    assignee = forms.ModelChoiceField(
        queryset=Associate.objects.filter(is_active=True).order_by("first_name", "username"),
        required=False, empty_label="Nobody",
    )  # fmt: skip
    tags = forms.CharField(required=False, max_length=255, help_text="Comma-separated.")


class CannedReplyForm(forms.Form):
    title = forms.CharField(max_length=120)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Merge fields: {first_name}, {last_name}, {name}, {email}, {business}, "
        "{agent}, {subject}.",
    )


class AutoAnswerForm(forms.Form):
    auto_answer = forms.BooleanField(
        required=False, label="Answer new conversations with help articles automatically"
    )


WEEKDAYS = [(str(i), name) for i, name in enumerate(
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
)]  # fmt: skip


class HoursForm(forms.Form):
    workdays = forms.MultipleChoiceField(
        choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, required=False
    )
    opens = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    warn_minutes = forms.IntegerField(
        min_value=0, max_value=24 * 60, label="Warn this many business minutes before"
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("opens") and data.get("closes") and data["closes"] <= data["opens"]:
            raise forms.ValidationError("Closing time must be after opening time.")
        return data


class SlaForm(forms.Form):
    """Targets per priority, in business hours (decimals allowed)."""

    def __init__(self, *args, initial_targets: dict[str, tuple[int, int]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Priority.choices:
            first, resolution = initial_targets[value]
            self.fields[f"{value}_first"] = forms.DecimalField(
                min_value=0.25, max_value=2000, decimal_places=2, initial=first / 60,
                label=f"{label}: first response (hours)",
            )  # fmt: skip
            self.fields[f"{value}_resolution"] = forms.DecimalField(
                min_value=0.25, max_value=5000, decimal_places=2, initial=resolution / 60,
                label=f"{label}: resolution (hours)",
            )  # fmt: skip


class MailboxForm(forms.Form):
    host = forms.CharField(max_length=255, label="IMAP server")
    port = forms.IntegerField(min_value=1, max_value=65535, initial=993)
    use_ssl = forms.BooleanField(required=False, initial=True, label="Use SSL/TLS")
    username = forms.CharField(max_length=255)
    password = forms.CharField(widget=forms.PasswordInput, max_length=255)
    folder = forms.CharField(max_length=255, initial="INBOX")
