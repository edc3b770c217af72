"""The one-to-one email composer, opened from a person's page or a deal's."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from thrive.commerce.models import Deal
from thrive.contacts.models import Person
from thrive.core.roles import role_required

from ..email_templates.merge_data import picker_fields
from ..models import EmailTemplate
from ..personal import (
    DEFAULT_MINUTES,
    MAX_MINUTES,
    new_form_key,
    refusal,
    render_for,
    send_personal_email,
    sender_name,
    template_start,
)


class PersonalEmailForm(forms.Form):
    subject = forms.CharField(max_length=255, required=False, strip=False)
    body = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    marketing = forms.BooleanField(required=False)
    minutes = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_MINUTES,
        error_messages={"invalid": "Minutes spent are a whole number."},
    )  # fmt: skip
    form_key = forms.CharField(max_length=100, required=False)
    deal = forms.IntegerField(required=False)
    template = forms.IntegerField(required=False)


def _deal_for(person: Person, raw: Any) -> Deal | None:
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    return Deal.objects.filter(pk=pk, person=person).first()


def _template(raw: Any) -> EmailTemplate | None:
    try:
        return EmailTemplate.objects.filter(pk=int(raw)).first()
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
@role_required("edit")
def compose(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.select_related("organization"), pk=person_pk)
    preview = None
    status = 200
    if request.method == "POST":
        form = PersonalEmailForm(request.POST)
        deal = _deal_for(person, request.POST.get("deal"))
        template = _template(request.POST.get("template"))
        if form.is_valid():
            data = form.cleaned_data
            minutes = data["minutes"]
            try:
                if request.POST.get("action") == "preview":
                    preview = render_for(person, subject=data["subject"], body=data["body"])
                else:
                    sent = send_personal_email(
                        person, actor=request.user, subject=data["subject"], body=data["body"],
                        form_key=data["form_key"], marketing=data["marketing"], deal=deal,
                        template=template, minutes=minutes,
                    )  # fmt: skip
                    messages.success(
                        request,
                        f"Sent to {person.email}."
                        if sent.created
                        else "That email was already sent; it was not sent again.",
                    )
                    return redirect(f"/people/{person.pk}/#timeline")
            except ValidationError as exc:
                for field, problems in exc.message_dict.items():
                    target = field if field in form.fields else None
                    for problem in problems:
                        form.add_error(target, problem)
        if form.errors:
            status = 400
    else:
        deal = _deal_for(person, request.GET.get("deal"))
        template = _template(request.GET.get("template"))
        subject, body = template_start(template) if template else ("", "")
        form = PersonalEmailForm(
            initial={
                "subject": subject, "body": body, "minutes": DEFAULT_MINUTES,
                "form_key": new_form_key(), "deal": deal.pk if deal else None,
                "template": template.pk if template else None,
            }
        )  # fmt: skip
    fields = picker_fields()
    return render(
        request,
        "outreach/personal_compose.html",
        {
            "person": person,
            "deal": deal,
            "template": template,
            "templates": EmailTemplate.objects.order_by("name").only("pk", "name"),
            "form": form,
            "preview": preview,
            "from_name": sender_name(request.user),
            "reply_to": getattr(request.user, "email", "") or "",
            "warning": refusal(person, marketing=False),
            "merge_groups": [
                (group, list(rows)) for group, rows in groupby(fields, key=lambda f: f["group"])
            ],
        },
        status=status,
    )
