"""Staff pages at ``reach/``: where acquisition pays, the ideal-client profile, leads with
their scores (model quality for the owner) and referral partners with portal links."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from thrive.analytics.queries import snapshot_figure
from thrive.contacts.models import Person
from thrive.core.replica import reads_from_replica
from thrive.core.roles import can_edit, can_manage, role_required
from thrive.insights.fairness import MIN_GROUP, fairness_report

from .. import queries
from ..charts import reliability_chart
from ..economics import channel_table
from ..leads import latest_model
from ..portal import issue_portal_link, partner_stats, partners, send_portal_link
from ..profile import latest_profile, shown_payload
from ..refresh import is_stale, request_refresh


@require_GET
@reads_from_replica
def overview(request: HttpRequest) -> HttpResponse:
    profile = latest_profile()
    if is_stale(profile):
        request_refresh()
    return render(request, "prospects/overview.html", {
        "here": "reach", "profile": profile,
        "payload": shown_payload(profile.payload) if profile else None,
        "economics": channel_table(), "can_edit": can_edit(request.user),
        "clv_cac": snapshot_figure("clv_cac"),
    })  # fmt: skip


@require_POST
@role_required("edit")
def refresh(request: HttpRequest) -> HttpResponse:
    request_refresh()
    messages.success(request, "Recomputing the profile and lead scores in the background.")
    return redirect(request.POST.get("next") == "leads" and "reach_leads" or "reach")


@require_GET
def leads(request: HttpRequest) -> HttpResponse:
    model = latest_model()
    page = Paginator(queries.leads_by_probability(), 50).get_page(request.GET.get("page"))
    reliability = (model.metrics.get("reliability") or []) if model else []
    return render(request, "prospects/leads.html", {
        "here": "reach", "model": model, "page": page, "can_manage": can_manage(request.user),
        "can_edit": can_edit(request.user),
        "chart": reliability_chart(reliability) if reliability else "",
        "reliability": reliability,
    })  # fmt: skip


MAX_ATTRIBUTES = 6


@require_GET
def fairness(request: HttpRequest) -> HttpResponse:
    """The lead model's fairness by group for the attributes chosen (GET only: choosing
    writes nothing, so every role may look)."""
    available = queries.fairness_attributes()
    by_key = {a.key: a for a in available}
    asked = request.GET.getlist("a")
    errors = [f"There is no attribute “{k[:60]}” to compare by; choose from the list."
              for k in asked if k not in by_key]  # fmt: skip
    chosen = [by_key[k] for k in dict.fromkeys(asked) if k in by_key]
    if len(chosen) > MAX_ATTRIBUTES:
        errors.append(f"Compare at most {MAX_ATTRIBUTES} attributes at once; "
                      f"showing the first {MAX_ATTRIBUTES}.")  # fmt: skip
        chosen = chosen[:MAX_ATTRIBUTES]
    if not asked:
        # By default the sensitive attributes (the point of the check) and the channel.
        chosen = [by_key[queries.CHANNEL]] + [a for a in available if a.sensitive]
    data = queries.fairness_input()
    reports = [
        {"attribute": a, "report": (report := fairness_report(
            a.label, queries.group_values(a, data.person_ids), data.predicted, data.outcomes)),
         "sentences": report.sentences()}
        for a in chosen
    ] if data.person_ids else []  # fmt: skip
    return render(request, "prospects/fairness.html", {
        "here": "reach", "available": available, "chosen": {a.key for a in chosen},
        "reports": reports, "model": data.model, "has_outcomes": data.outcomes is not None,
        "rows": len(data.person_ids), "min_group": MIN_GROUP, "errors": errors,
    }, status=400 if errors else 200)  # fmt: skip


@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    stats = {row["person"].pk: row for row in partner_stats(limit=10_000)}
    people = list(
        partners()
        .select_related("organization")
        .prefetch_related("roles")
        .order_by("last_name", "first_name", "id")[:500]
    )
    rows = [{"person": p, **{k: v for k, v in stats.get(p.pk, {}).items() if k != "person"}}
            for p in people]  # fmt: skip
    rows.sort(key=lambda r: (-(r.get("won") or 0), -(r.get("referred") or 0), r["person"].pk))
    return render(request, "prospects/partners.html", {
        "here": "reach", "rows": rows, "can_edit": can_edit(request.user),
        "link": request.session.pop("prospects_new_link", None),
    })  # fmt: skip


@require_POST
@role_required("edit")
def partner_link(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Person, pk=pk)
    try:
        if request.POST.get("send"):
            url = send_portal_link(partner, actor=request.user)
            messages.success(request, f"Emailed a new portal link to {partner.email}.")
        else:
            url = issue_portal_link(partner, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reach_partners")
    # Shown once on the next page, to copy; only its hash is stored.
    request.session["prospects_new_link"] = {"partner": str(partner), "url": url}
    return redirect("reach_partners")
