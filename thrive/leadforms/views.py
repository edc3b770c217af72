"""The forms pages for associates: the list, the builder, one form's answers and its
embed snippet. Everyone signed in may look; owners and members build."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from thrive.core import business
from thrive.core.roles import role_required

from .fields import errors_by_field
from .forms import FieldRows, FormSettingsForm, rows_of
from .models import LeadForm
from .queries import form_numbers, forms_with_numbers, recent_submissions, share
from .services import save_form


@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    rows = [
        (f, share(f.new_people, f.answers), share(f.confirmed, f.asked_to_confirm))  # type: ignore[attr-defined]
        for f in forms_with_numbers()
    ]
    return render(request, "leadforms/list.html", {"rows": rows})


def _builder(request: HttpRequest, form: LeadForm | None) -> HttpResponse:
    initial_rows: list[dict[str, Any]] = (
        [{"target": f.target, "label": f.label, "required": f.required,
          "help_text": f.help_text} for f in form.fields.all()]
        if form else [{"target": "first_name", "label": "First name"},
                      {"target": "email", "label": "Email", "required": True}]
    )  # fmt: skip
    settings_form = FormSettingsForm(request.POST or None, instance=form)
    rows = FieldRows(request.POST or None, initial=initial_rows, prefix="fields")
    problems: list[str] = []
    if request.method == "POST" and settings_form.is_valid() and rows.is_valid():
        try:
            saved = save_form(form, actor=request.user, values=settings_form.settings(),
                              rows=rows_of(rows))  # fmt: skip
        except ValidationError as exc:
            for field, errors in errors_by_field(exc).items():
                text = " ".join(errors)
                if field and field in settings_form.fields:
                    settings_form.add_error(field, text)
                else:
                    problems.append(text)
        else:
            messages.success(request, f"Saved the form “{saved.name}”.")
            return redirect(saved)
    status = 400 if request.method == "POST" else 200
    return render(request, "leadforms/edit.html", {
        "lead_form": form, "form": settings_form, "rows": rows, "problems": problems,
    }, status=status)  # fmt: skip


@require_http_methods(["GET", "POST"])
@role_required("edit")
def form_new(request: HttpRequest) -> HttpResponse:
    return _builder(request, None)


@require_http_methods(["GET", "POST"])
@role_required("edit")
def form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _builder(request, get_object_or_404(LeadForm, pk=pk))


@require_GET
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    form = get_object_or_404(LeadForm.objects.select_related("sequence", "notify"), pk=pk)
    hosted = business.public_url() + reverse("leadform_page", args=[form.slug])
    return render(request, "leadforms/detail.html", {
        "lead_form": form, "hosted": hosted, "embed": f"{hosted}?embed=1",
        "numbers": form_numbers(form), "submissions": recent_submissions(form),
        "fields": form.fields.all(),
    })  # fmt: skip
