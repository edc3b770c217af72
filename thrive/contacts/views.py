"""People and organization pages. Thin: parse, call a service or query, render."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from thrive.core.cells import csv_cell
from thrive.core.forms import add_service_errors
from thrive.core.redirects import next_from
from thrive.core.roles import role_required

from . import profiling, queries, services
from .forms import (
    CUSTOM_PREFIX,
    SORT_LABELS,
    SORTS,
    BulkActionForm,
    CorrectActivityForm,
    LogInteractionForm,
    NewPersonForm,
    OrganizationForm,
    PeopleFilterForm,
    PersonForm,
    RetractActivityForm,
)
from .models import Organization, Person

PAGE_SIZE = 50


def _filtered(request: HttpRequest) -> tuple[PeopleFilterForm, Any]:
    form = PeopleFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    people = queries.people_matching(filters)
    return form, people.order_by(*SORTS.get(filters.get("sort") or "name", SORTS["name"]))


def people_list(request: HttpRequest) -> HttpResponse:
    form, people = _filtered(request)
    page = queries.people_page(people, PAGE_SIZE, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "contacts/people_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "sort_labels": SORT_LABELS,
            "filtered": any(v for k, v in request.GET.items() if k not in {"page", "sort"}),
            "bulk_form": BulkActionForm(),
            "metric_words": queries.metric_words(form.data.get("metric") or ""),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def people_export(request: HttpRequest) -> StreamingHttpResponse:
    """The current list (all pages) as CSV, streamed so large lists don't fill memory."""
    _, people = _filtered(request)
    rows = people.select_related("organization", "acquisition_channel", "score").iterator(
        chunk_size=2000
    )
    header = [
        "id", "first_name", "last_name", "email", "phone", "organization", "stage",
        "acquisition_channel", "first_seen_at", "predicted_clv", "p_alive", "rfm_segment",
    ]  # fmt: skip
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for p in rows:
            score = getattr(p, "score", None) if hasattr(p, "score") else None
            yield writer.writerow(
                [
                    csv_cell(v)
                    for v in (
                        p.pk,
                        p.first_name,
                        p.last_name,
                        p.email or "",
                        p.phone,
                        p.organization.name if p.organization else "",
                        p.stage,
                        p.acquisition_channel.slug if p.acquisition_channel else "",
                        p.first_seen_at.isoformat(),
                        score.predicted_clv if score else "",
                        score.p_alive if score else "",
                        score.rfm_segment if score else "",
                    )
                ]  # fmt: skip
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response


@require_POST
@role_required("edit")
def people_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkActionForm(request.POST)
    back = next_from(request, reverse("people"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    data = form.cleaned_data
    changed = 0
    for person in Person.objects.filter(pk__in=data["ids"]).order_by("pk"):
        if data["action"] == "tag":
            changed += services.add_tag(person, data["tag"], actor=request.user)
        elif data["action"] == "untag":
            changed += services.remove_tag(person, data["tag"], actor=request.user)
        else:
            changed += services.change_stage(person, data["stage"], actor=request.user)
    messages.success(request, f"Updated {changed} of {len(data['ids'])} selected people.")
    return redirect(back)


def _form_name(field: str) -> str:
    # "custom_fields.<key>" belongs to that field's own input.
    return field.replace("custom_fields.", CUSTOM_PREFIX, 1)


@role_required("edit")
def person_new(request: HttpRequest) -> HttpResponse:
    """Add a person by hand. An email already on file links to that person instead of
    making a second record of them."""
    form = NewPersonForm(request.POST or None)
    existing = None
    if request.method == "POST" and form.is_valid():
        # The form has checked the address already; the lookup normalises it the same way
        # the model stores it, so " Ann@Example.com " finds ann@example.com.
        existing = services.find_person_by_email(form.cleaned_data.get("email") or "")
        if existing is not None:
            form.add_error("email", f"{existing} already has this email address.")
        else:
            try:
                person = services.create_person(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc, rename=_form_name)
            else:
                messages.success(request, f"{person} added.")
                return redirect("person", pk=person.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "contacts/person_new.html", {"form": form, "existing": existing}, status=status
    )


@role_required("edit", writes_only=True)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(person, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, rename=_form_name)
        else:
            messages.success(request, "Saved.")
            return redirect("person", pk=person.pk)
    return render(request, "contacts/person_edit.html", {"person": person, "form": form})


@require_POST
@role_required("edit")
def person_log(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    form = LogInteractionForm(request.POST)
    if form.is_valid():
        try:
            services.log_interaction(person, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(
                request, f"{form.cleaned_data['kind'].replace('_', ' ').capitalize()} logged."
            )
    else:
        for field, errors in form.errors.items():
            label = "" if field == "__all__" else f"{form.fields[field].label or field}: "
            messages.error(request, f"{label}{' '.join(str(e) for e in errors)}")
    return redirect(reverse("person", args=[person.pk]) + "#timeline")


@require_POST
@role_required("edit")
def person_automation(request: HttpRequest, pk: int) -> HttpResponse:
    """The per-person "no automation" switch that workflows honour."""
    person = get_object_or_404(Person, pk=pk)
    paused = request.POST.get("paused") == "1"
    services.set_automation_paused(person, paused, actor=request.user)
    messages.success(
        request,
        f"Automation switched off for {person}: workflows leave them alone."
        if paused
        else f"Workflows may include {person} again.",
    )
    return redirect(reverse("person", args=[person.pk]) + "#why")


@require_POST
@role_required("edit")
def person_decline_profiling(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the person declines personalisation and analytics (they told us)."""
    person = get_object_or_404(Person, pk=pk)
    words = request.POST.get("words", "")[:500]
    if profiling.decline(person, actor=request.user, words=words):
        messages.success(
            request,
            f"Recorded: {person} declines personalisation and analytics. Their scores are "
            "deleted and nothing will be predicted about them.",
        )
    else:
        messages.info(request, f"{person} had already declined; nothing changed.")
    return redirect(reverse("person", args=[person.pk]) + "#consent-h")


def _activity_page(
    request: HttpRequest, person: Person, activity: Any, **forms_: Any
) -> HttpResponse:
    versions = queries.activity_versions(activity)
    head = versions[0]
    amendable = head.pk == activity.pk and services.may_amend(head, request.user)
    local = timezone.localtime(head.occurred_at)
    context = {
        "person": person,
        "activity": activity,
        "head": head,
        "versions": versions,
        "amendable": amendable,
        "correct_form": forms_.get("correct_form")
        or CorrectActivityForm(
            initial={
                "kind": head.kind,
                "subject": head.subject,
                "body": head.body,
                "duration_minutes": head.duration_minutes,
                "occurred_at": local,
            }
        ),  # fmt: skip
        "retract_form": forms_.get("retract_form") or RetractActivityForm(),
    }
    status = 400 if forms_ else 200
    return render(request, "contacts/activity_detail.html", context, status=status)


def activity_detail(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    """One timeline entry with every version of it, and the forms to correct or retract
    it for those allowed."""
    person = get_object_or_404(Person, pk=pk)
    activity = queries.person_activity(person, activity_pk)
    if activity is None:
        raise Http404("No such entry on this person's timeline.")
    return _activity_page(request, person, activity)


def _amend(request: HttpRequest, pk: int, activity_pk: int, *, retract: bool) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    activity = queries.person_activity(person, activity_pk)
    if activity is None:
        raise Http404("No such entry on this person's timeline.")
    if not services.may_amend(activity, request.user):
        raise PermissionDenied("Only the associate who logged it or an owner may change it.")
    form_class = RetractActivityForm if retract else CorrectActivityForm
    form = form_class(request.POST)
    key = "retract_form" if retract else "correct_form"
    if not form.is_valid():
        return _activity_page(request, person, activity, **{key: form})
    try:
        if retract:
            services.retract_activity(activity, actor=request.user, **form.cleaned_data)
        else:
            data = dict(form.cleaned_data)
            # The form shows minutes only: an unchanged time keeps the original's seconds,
            # so the corrected entry keeps its place on the timeline.
            shown = timezone.localtime(activity.occurred_at).replace(second=0, microsecond=0)
            if data.get("occurred_at") == shown:
                data["occurred_at"] = activity.occurred_at
            services.correct_activity(activity, actor=request.user, **data)
    except ValidationError as exc:
        for error in exc.messages:
            form.add_error(None, error)
        return _activity_page(request, person, activity, **{key: form})
    messages.success(request, "Entry retracted." if retract else "Correction saved.")
    return redirect(reverse("person", args=[person.pk]) + "#timeline")


@require_POST
@role_required("edit")
def activity_correct(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    return _amend(request, pk, activity_pk, retract=False)


@require_POST
@role_required("edit")
def activity_retract(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    return _amend(request, pk, activity_pk, retract=True)


def organization_list(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:100]
    orgs = Organization.objects.annotate(people_count=Count("people"))
    if q:
        orgs = orgs.filter(Q(name__icontains=q) | Q(industry__icontains=q) | Q(city__icontains=q))
    page = Paginator(orgs.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "contacts/organization_list.html", {"page": page, "q": q})


def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=pk)
    people = org.people.select_related("score").order_by("last_name", "first_name")[:200]
    revenue = org.people.filter(
        orders__status__in=["completed", "partially_refunded", "refunded"]
    ).aggregate(total=Sum("orders__total"), refunded=Sum("orders__refunded"))
    net = (revenue["total"] or 0) - (revenue["refunded"] or 0)
    deals = org.deals.select_related("stage", "owner", "person").order_by("expected_close", "id")
    return render(
        request,
        "contacts/organization_detail.html",
        {"org": org, "people": people, "net_revenue": net, "deals": deals},
    )


@role_required("edit")
def organization_new(request: HttpRequest) -> HttpResponse:
    return _organization_form(request, None)


@role_required("edit")
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _organization_form(request, get_object_or_404(Organization, pk=pk))


def _organization_form(request: HttpRequest, org: Organization | None) -> HttpResponse:
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.save_organization(org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, rename=_form_name)
        else:
            messages.success(request, "Saved.")
            return redirect("organization", pk=org.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "contacts/organization_edit.html", {"form": form, "org": org}, status=status
    )
