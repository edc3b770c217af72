"""Sequence pages: the list, a new sequence, its steps and numbers, enrolling someone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.analytics.money_outcomes import WINDOWS, window_days
from thrive.contacts.services import find_person_by_email
from thrive.core import business
from thrive.core.roles import role_required

from ..forms import EnrollForm, SequenceForm, StepForm
from ..models import Delivery, EnrollmentStatus, Sequence
from ..reports import numbers
from ..reports.money import sequence_money
from ..sending.sequencing import add_step, create_sequence, enroll


@require_GET
def sequence_list(request: HttpRequest) -> HttpResponse:
    sequences = Sequence.objects.annotate(
        step_count=Count("steps", distinct=True),
        active=Count(
            "enrollments", filter=Q(enrollments__status=EnrollmentStatus.ACTIVE), distinct=True
        ),
    ).order_by("name")
    return render(request, "outreach/sequence_list.html", {"sequences": sequences})


@require_http_methods(["GET", "POST"])
@role_required("edit")
def sequence_new(request: HttpRequest) -> HttpResponse:
    form = SequenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sequence = create_sequence(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(sequence)
    return render(request, "outreach/sequence_new.html", {"form": form})


@require_GET
def sequence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sequence = get_object_or_404(Sequence, pk=pk)
    per_step = numbers.by(
        Delivery.objects.filter(sequence_step__sequence=sequence), "sequence_step"
    )
    steps = [(s, per_step.get(s.pk)) for s in sequence.steps.select_related("template")]
    enrollments = sequence.enrollments.select_related("person").order_by("-enrolled_at")[:50]
    return render(
        request,
        "outreach/sequence_detail.html",
        {
            "sequence": sequence,
            "money": sequence_money(sequence, days=window_days(request.GET.get("days", ""))),
            "money_windows": WINDOWS,
            "currency": business.currency(),
            "steps": steps,
            "enrollments": enrollments,
            "step_form": StepForm(),
            "enroll_form": EnrollForm(),
        },
    )


@require_POST
@role_required("edit")
def sequence_add_step(request: HttpRequest, pk: int) -> HttpResponse:
    sequence = get_object_or_404(Sequence, pk=pk)
    form = StepForm(request.POST)
    if form.is_valid():
        add_step(sequence, actor=request.user, **form.cleaned_data)
        messages.success(request, "Step added.")
    else:
        messages.error(request, "Choose a template and a delay in hours.")
    return redirect(sequence)


@require_POST
@role_required("edit")
def sequence_enroll(request: HttpRequest, pk: int) -> HttpResponse:
    sequence = get_object_or_404(Sequence, pk=pk)
    form = EnrollForm(request.POST)
    person = find_person_by_email(form.data.get("email", "")) if form.is_valid() else None
    if person is None:
        messages.error(request, "No person has that email address.")
        return redirect(sequence)
    try:
        enroll(person, sequence, actor=request.user, reason={"why": f"Enrolled by {request.user}."})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{person} is enrolled.")
    return redirect(sequence)
