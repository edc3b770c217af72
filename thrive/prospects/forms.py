"""Validation of the portal's forms (no side effects)."""

from __future__ import annotations

from django import forms


class ReferForm(forms.Form):
    first_name = forms.CharField(max_length=100, label="Their first name")
    last_name = forms.CharField(max_length=100, required=False, label="Their last name")
    email = forms.EmailField(max_length=254, label="Their email address")
    phone = forms.CharField(max_length=30, required=False, label="Their phone (optional)")
    note = forms.CharField(
        max_length=255, required=False, label="Anything we should know?",
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    consent = forms.BooleanField(
        required=True,
        label="They agreed that we may email them about this introduction.",
        error_messages={"required": "Please confirm they agreed to hear from us."},
    )


class LinkRequestForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Your email address")
