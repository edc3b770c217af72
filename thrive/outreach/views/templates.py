"""Email templates: the list, the editor with save-time checks, and preview as a person."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.csp import CSP
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods

from thrive.contacts.models import Person
from thrive.core.roles import role_required

from ..email_templates.merge_data import field_reference, merge_context
from ..email_templates.sandbox import TemplateProblem, render_parts
from ..email_templates.saving import save_template
from ..forms import TemplateForm
from ..models import EmailTemplate

PREVIEW_PEOPLE = 50


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    templates = EmailTemplate.objects.order_by("name")
    return render(request, "outreach/template_list.html", {"templates": templates})


@require_http_methods(["GET", "POST"])
@role_required("edit")
def template_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@require_http_methods(["GET", "POST"])
@role_required("edit", writes_only=True)
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(EmailTemplate, pk=pk)
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


def _preview_person(request: HttpRequest, people: list[Person]) -> Person | None:
    raw = request.GET.get("person", "")
    chosen = Person.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    return chosen or (people[0] if people else None)


def _render_for(template: EmailTemplate, person: Person) -> Any:
    data = merge_context(person)
    data["unsubscribe_url"] = "#unsubscribe"
    return render_parts(
        subject=template.subject,
        html_body=template.html_body,
        text_body=template.text_body,
        data=data,
    )


@require_GET
def template_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The template rendered for a chosen person (links untracked, nothing sent). The
    HTML part is not put into this page: a sandboxed frame loads it from
    :func:`template_preview_html`, so markup a member wrote never runs as the viewer."""
    template = get_object_or_404(EmailTemplate, pk=pk)
    people = list(
        Person.objects.exclude(email__isnull=True).order_by("last_name", "first_name", "id")[
            :PREVIEW_PEOPLE
        ]
    )
    chosen = _preview_person(request, people)
    context: dict[str, Any] = {"template": template, "people": people, "chosen": chosen}
    if chosen is not None:
        try:
            context["rendered"] = _render_for(template, chosen)
        except TemplateProblem as exc:
            context["problem"] = str(exc)
    return render(request, "outreach/template_preview.html", context)


# The email's own HTML, for the preview frame only: no script, no plugin, no form, no
# base, no fonts or frames; styles and pictures as a mail client shows them. ``sandbox``
# gives the document an opaque origin even when opened outside the frame, so it can
# neither run script nor read this site's cookies or pages.
PREVIEW_CSP: dict[str, Any] = {
    "default-src": [CSP.NONE],
    "img-src": [CSP.SELF, "data:", "https:", "http:"],
    "style-src": [CSP.UNSAFE_INLINE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "frame-ancestors": [CSP.SELF],
    "sandbox": True,
}


@require_GET
@csp_override(PREVIEW_CSP)
@xframe_options_sameorigin
@never_cache
def template_preview_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTML part of a preview as its own document, for the sandboxed frame."""
    template = get_object_or_404(EmailTemplate, pk=pk)
    person = _preview_person(request, [])
    if person is None:
        return HttpResponse("", content_type="text/html; charset=utf-8")
    try:
        html = _render_for(template, person).html
    except TemplateProblem as exc:
        return HttpResponse(str(exc), content_type="text/plain; charset=utf-8", status=422)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Referrer-Policy"] = "no-referrer"
    return response
