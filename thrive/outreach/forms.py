"""Input validation for the outreach pages (no business rules here)."""

from __future__ import annotations

from django import forms

from thrive.segments.models import Segment

from .models import EmailTemplate, MessagePurpose, OnCap


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=120)
    subject = forms.CharField(max_length=255)
    html_body = forms.CharField(required=False, widget=forms.Textarea, label="HTML part")
    text_body = forms.CharField(required=False, widget=forms.Textarea, label="Plain-text part")


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=160)
    segment = forms.ModelChoiceField(queryset=Segment.objects.order_by("name"))
    purpose = forms.ChoiceField(
        choices=[
            (MessagePurpose.EMAIL_MARKETING.value, MessagePurpose.EMAIL_MARKETING.label),
            (MessagePurpose.SURVEYS.value, MessagePurpose.SURVEYS.label),
        ]
    )
    template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.order_by("name"), label="Template (variant A)"
    )
    subject = forms.CharField(max_length=255, required=False, label="Subject A (optional)")
    variant_b_template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.order_by("name"),
        required=False,
        label="Template for variant B (optional)",
    )
    variant_b_subject = forms.CharField(
        max_length=255, required=False, label="Subject for variant B (optional)"
    )
    holdout_percent = forms.IntegerField(min_value=0, max_value=50, initial=0)


class CampaignEditForm(CampaignForm):
    when = forms.DateTimeField(
        required=False,
        label="Goes out at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class SequenceForm(forms.Form):
    name = forms.CharField(max_length=160)
    description = forms.CharField(required=False, widget=forms.Textarea)
    purpose = forms.ChoiceField(
        choices=[
            (MessagePurpose.EMAIL_MARKETING.value, MessagePurpose.EMAIL_MARKETING.label),
            (MessagePurpose.SURVEYS.value, MessagePurpose.SURVEYS.label),
            (MessagePurpose.TRANSACTIONAL.value, MessagePurpose.TRANSACTIONAL.label),
        ]
    )
    on_cap = forms.ChoiceField(choices=OnCap.choices, label="When the weekly limit is reached")


class StepForm(forms.Form):
    template = forms.ModelChoiceField(queryset=EmailTemplate.objects.order_by("name"))
    delay_hours = forms.IntegerField(min_value=0, max_value=24 * 365, initial=24)


class EnrollForm(forms.Form):
    email = forms.EmailField()


class DraftForm(forms.Form):
    subject = forms.CharField(max_length=255)
    body = forms.CharField(widget=forms.Textarea)


class SignupForm(forms.Form):
    first_name = forms.CharField(max_length=100, required=False)
    email = forms.EmailField()
    agree = forms.BooleanField(required=True)
