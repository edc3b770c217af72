"""Validation of the roadmap's and playbooks' forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model

from thrive.automations.models import Workflow
from thrive.outreach.models import EmailTemplate
from thrive.segments.models import Segment


def _colleagues(form: forms.Form, name: str) -> None:
    field = cast(forms.ModelChoiceField, form.fields[name])
    field.queryset = get_user_model().objects.filter(is_active=True)


class _OwnIds(forms.Form):
    """One page shows several of these forms: each gets its own element ids."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)


class StepForm(_OwnIds):
    text = forms.CharField(max_length=300, label="Manual step")
    owner: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, required=False, label="Owner"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _colleagues(self, "owner")


class AssignForm(_OwnIds):
    associate: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label="Colleague")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _colleagues(self, "associate")


class TickForm(forms.Form):
    step = forms.IntegerField()
    associate = forms.IntegerField(required=False)
    done = forms.BooleanField(required=False)


class ProcedureForm(_OwnIds):
    title = forms.CharField(max_length=200, label="Procedure")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    workflow = forms.ModelChoiceField(
        queryset=Workflow.objects.all(), required=False, label="Workflow that automates it"
    )


class LinkForm(_OwnIds):
    workflow = forms.ModelChoiceField(queryset=Workflow.objects.all(), required=False)
    segment = forms.ModelChoiceField(queryset=Segment.objects.all(), required=False)
    templates = forms.ModelMultipleChoiceField(
        queryset=EmailTemplate.objects.all(), required=False, label="Email templates"
    )
