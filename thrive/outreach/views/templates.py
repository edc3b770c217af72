"""Email templates: the list, the editor with save-time checks, and preview as a person."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from thrive.contacts.models import Person
from thrive.core.roles import require_edit

from ..forms import TemplateForm
from ..merge_data import field_reference, merge_context
from ..models import EmailTemplate
from ..sandbox import TemplateProblem, render_parts
from ..template_services import save_template

PREVIEW_PEOPLE = 50


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    templates = EmailTemplate.objects.order_by("name")
    return render(request, "outreach/template_list.html", {"templates": templates})


@require_http_methods(["GET", "POST"])
def template_new(request: HttpRequest) -> HttpResponse:
    require_edit(request.user)
    return _editor(request, None)


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(EmailTemplate, pk=pk)
    if request.method == "POST":
        require_edit(request.user)
    return _editor(request, template)


def _editor(request: HttpRequest, template: EmailTemplate | None) -> HttpResponse:
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                saved = save_template(template, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Template “{saved.name}” saved.")
                return redirect("outreach_template", saved.pk)
    else:
        form = TemplateForm(
            initial={name: getattr(template, name) for name in TemplateForm.base_fields}
            if template
            else {
                "subject": 'A note for {{ person.first_name|default:"you" }}',
                "html_body": '<p>Hi {{ person.first_name|default:"there" }},</p>\n<p></p>',
            }
        )
    return render(
        request,
        "outreach/template_edit.html",
        {"form": form, "template": template, "fields": field_reference()},
    )


def _add_errors(form: TemplateForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_GET
def template_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The template rendered for a chosen person (links untracked, nothing sent)."""
    template = get_object_or_404(EmailTemplate, pk=pk)
    people = list(
        Person.objects.exclude(email__isnull=True).order_by("last_name", "first_name", "id")[
            :PREVIEW_PEOPLE
        ]
    )
    chosen = None
    raw = request.GET.get("person", "")
    if raw.isdigit():
        chosen = Person.objects.filter(pk=int(raw)).first()
    chosen = chosen or (people[0] if people else None)
    context: dict[str, Any] = {"template": template, "people": people, "chosen": chosen}
    if chosen is not None:
        data = merge_context(chosen)
        data["unsubscribe_url"] = "#unsubscribe"
        try:
            context["rendered"] = render_parts(
                subject=template.subject,
                html_body=template.html_body,
                text_body=template.text_body,
                data=data,
            )
        except TemplateProblem as exc:
            context["problem"] = str(exc)
    return render(request, "outreach/template_preview.html", context)
