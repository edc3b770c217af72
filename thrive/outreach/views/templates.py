"""Email templates: the list (subjects shown readable), the editor with save-time checks,
preview as a person found by search, and "send me a test"."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.csp import CSP
from django.utils.html import escape
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.contacts.models import Person
from thrive.core.ratelimit import RateLimited
from thrive.core.roles import role_required

from ..email_templates.merge_data import merge_context, picker_fields, sample_context
from ..email_templates.readable import readable_subject
from ..email_templates.sample_send import send_test_to_self
from ..email_templates.sandbox import TemplateProblem, render_parts, template_problems
from ..email_templates.sanitize import clean_html
from ..email_templates.saving import save_template
from ..forms import TemplateForm
from ..models import EmailTemplate

SEARCH_LIMIT = 20


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    templates = list(EmailTemplate.objects.order_by("name"))
    sample = sample_context()
    rows = [(t, readable_subject(t.subject, sample)) for t in templates]
    return render(request, "outreach/template_list.html", {"templates": templates, "rows": rows})


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
    chosen = _preview_person(request)
    return render(
        request,
        "outreach/template_edit.html",
        {
            "form": form,
            "template": template,
            "fields": picker_fields(),
            "chosen": chosen,
            "chosen_label": _label(chosen) if chosen else "",
        },
    )


def _add_errors(form: TemplateForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


_BRACKETED_EMAIL = re.compile(r"<([^<>\s]+@[^<>\s]+)>\s*$")


def _label(person: Person) -> str:
    """How a person appears in the search list and its input: "Ann Lee <ann@…>"."""
    name = person.full_name
    return f"{name} <{person.email}>" if name else str(person.email)


def _find_person(text: str) -> Person | None:
    """A person from the search input: an id, an email, or "Name <email>" as the search
    list offers them."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit():
        return Person.objects.filter(pk=int(text)).first()
    match = _BRACKETED_EMAIL.search(text)
    email = match.group(1) if match else text
    if "@" not in email:
        return None
    return Person.objects.filter(email__iexact=email).order_by("pk").first()


def _preview_person(request: HttpRequest, fallback: bool = False) -> Person | None:
    chosen = _find_person(request.GET.get("person", "") or request.POST.get("person", ""))
    if chosen is None and fallback:
        chosen = Person.objects.exclude(email__isnull=True).exclude(email="").order_by("pk").first()
    return chosen


@require_GET
def template_people(request: HttpRequest) -> JsonResponse:
    """``?q=`` → up to 20 people with an email whose name or email contains every word,
    for the preview's search box. Signed-in associates only (the middleware)."""
    words = (request.GET.get("q") or "").split()[:4]
    if not words:
        return JsonResponse({"people": []})
    people = Person.objects.exclude(email__isnull=True).exclude(email="")
    for word in words:
        word = word[:60]
        people = people.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    found = people.order_by("last_name", "first_name", "pk")[:SEARCH_LIMIT]
    return JsonResponse(
        {
            "people": [
                {"id": p.pk, "name": p.full_name, "email": p.email, "label": _label(p)}
                for p in found
            ]
        }  # fmt: skip
    )


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
    asked = request.GET.get("person", "")
    chosen = _preview_person(request, fallback=True)
    context: dict[str, Any] = {
        "template": template,
        "chosen": chosen,
        "chosen_label": _label(chosen) if chosen else "",
        "not_found": bool(asked) and _find_person(asked) is None,
    }
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
    person = _preview_person(request)
    if person is None:
        return HttpResponse("", content_type="text/html; charset=utf-8")
    try:
        html = _render_for(template, person).html
    except TemplateProblem as exc:
        return HttpResponse(str(exc), content_type="text/plain; charset=utf-8", status=422)
    return _frame_document(html)


def _frame_document(html: str) -> HttpResponse:
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
@csp_override(PREVIEW_CSP)
@xframe_options_sameorigin
@never_cache
def template_preview_draft(request: HttpRequest) -> HttpResponse:
    """The editor's live preview: the HTML part as typed (not saved), sanitised as it
    would be stored and rendered for the chosen person (or sample data), posted by the
    editor into the sandboxed frame. Nothing is written."""
    person = _preview_person(request)
    data = merge_context(person) if person is not None else sample_context()
    data["unsubscribe_url"] = "#unsubscribe"
    parts = {
        "subject": " ".join(request.POST.get("subject", "").split())[:255],
        "html_body": clean_html(request.POST.get("html_body", "")),
        "text_body": request.POST.get("text_body", ""),
    }
    problems = template_problems(**parts)
    try:
        if problems:
            raise TemplateProblem(problems)
        rendered = render_parts(**parts, data=data)
    except TemplateProblem as exc:
        return HttpResponse(str(exc), content_type="text/plain; charset=utf-8", status=422)
    return _frame_document(rendered.html or f"<pre>{escape(rendered.text)}</pre>")


@require_POST
@role_required("edit")
def template_send_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the saved template to the signed-in associate, as the chosen person."""
    template = get_object_or_404(EmailTemplate, pk=pk)
    person = _find_person(request.POST.get("person", ""))
    back = template.get_absolute_url() + (f"?person={person.pk}" if person else "")
    try:
        address = send_test_to_self(template, actor=request.user, person=person)
    except RateLimited as exc:
        messages.error(request, f"That is a lot of tests: try again in {exc.minutes} minutes.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except TemplateProblem as exc:
        messages.error(request, f"The template does not render: {exc}")
    except OSError:
        messages.error(request, "The mail server did not take the test; check the email settings.")
    else:
        who = f"as {person.full_name or person.email}" if person else "with sample data"
        messages.success(request, f"Test sent to {address} ({who}). Nobody else got it.")
    return redirect(back)
