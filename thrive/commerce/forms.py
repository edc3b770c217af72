"""The orders list's filters (GET parameters)."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import OrderStatus, SalesChannel
from .queries import REVENUE

STATUS_CHOICES = [("", "Any status"), (REVENUE, "Counted as revenue"), *OrderStatus.choices]


class OrderFilterForm(forms.Form):
    start = forms.DateField(required=False, label="From")
    end = forms.DateField(required=False, label="To")
    currency = forms.RegexField(
        required=False, regex=r"^[A-Za-z]{3}$", max_length=3,
        error_messages={"invalid": "A currency is a three-letter code such as USD."},
    )  # fmt: skip
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    channel = forms.ChoiceField(
        required=False, choices=[("", "Any channel"), *SalesChannel.choices], label="Sold through"
    )
    person = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").upper()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end must be on or after the start.")
        return data
