from django import forms

from .events import EVENT_TYPES


class SubscriptionForm(forms.Form):
    url = forms.URLField(max_length=500, label="Address", assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        choices=[(k, f"{k} — {v}") for k, v in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(max_length=200, required=False)
