"""Input validation for the voice pages (no business rules here)."""

from __future__ import annotations

from django import forms

from thrive.accounts.models import Associate
from thrive.segments.models import Segment

from .models import (
    BODY_MAX,
    COMMENT_MAX,
    DEFAULT_COOLDOWN_DAYS,
    DEFAULT_QUESTION,
    TITLE_MAX,
    IdeaStatus,
    Importance,
)


class SignInForm(forms.Form):
    email = forms.EmailField(max_length=254)
    wants_news = forms.BooleanField(required=False)
    next = forms.CharField(required=False, max_length=200)


class IdeaForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX)
    body = forms.CharField(max_length=BODY_MAX, required=False, widget=forms.Textarea)
    importance = forms.ChoiceField(choices=Importance.choices, initial=Importance.NICE)


class VoteForm(forms.Form):
    importance = forms.ChoiceField(choices=Importance.choices, initial=Importance.NICE)
    notify = forms.BooleanField(required=False)


class CommentForm(forms.Form):
    body = forms.CharField(max_length=COMMENT_MAX, widget=forms.Textarea)


class AnswerCommentForm(forms.Form):
    comment = forms.CharField(max_length=2000, required=False, widget=forms.Textarea)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=IdeaStatus.choices)
    public_note = forms.CharField(max_length=500, required=False, label="Note for voters")


class MergeForm(forms.Form):
    into = forms.IntegerField(min_value=1, label="Merge into idea number")


class LogIdeaForm(forms.Form):
    """An associate logs an idea a customer gave them (e.g. on a call)."""

    email = forms.EmailField(max_length=254, label="Customer's email")
    title = forms.CharField(max_length=TITLE_MAX)
    body = forms.CharField(max_length=BODY_MAX, required=False, widget=forms.Textarea)
    importance = forms.ChoiceField(choices=Importance.choices, initial=Importance.NICE)


class SurveyForm(forms.Form):
    name = forms.CharField(max_length=120)
    question = forms.CharField(max_length=300, initial=DEFAULT_QUESTION)
    segment = forms.ModelChoiceField(queryset=Segment.objects.order_by("name"), required=False)
    owner = forms.ModelChoiceField(
        queryset=Associate.objects.filter(is_active=True).order_by("username"),
        required=False,
        label="Follow-up tasks go to",
    )
    cooldown_days = forms.IntegerField(min_value=0, max_value=3650, initial=DEFAULT_COOLDOWN_DAYS)
