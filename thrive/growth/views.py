"""Pages at ``growth/``: goals, the experiment backlog, A/B analysis, health checks.

Every page is signed in (LoginRequiredMiddleware); every change needs an editing role.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.accounts.queries import business_name
from thrive.analytics.money_outcomes import WINDOWS, window_days
from thrive.core import business
from thrive.core.roles import can_edit, role_required
from thrive.insights.abtest import (
    bayes_means,
    bayes_proportions,
    peeking_warning,
    proportions_test,
    sample_size_means,
    sample_size_proportions,
)
from thrive.outreach.reports.money import MoneyReport, campaign_money

from . import charts, queries, services
from .assessment_views import assessment_context
from .forms import (
    CheckInForm,
    ExperimentForm,
    GoalForm,
    HealthCheckForm,
    MonthlyFiguresForm,
    NumbersForm,
    SampleSizeForm,
    SampleSizeMeansForm,
    StatusForm,
)
from .health import compare
from .models import (
    NEXT_STATUSES,
    CampaignOutcome,
    Experiment,
    ExperimentStatus,
    Goal,
    HealthCheck,
    MonthlyFigures,
)
from .verdict import verdict


def _words(errors: Any) -> str:
    return " ".join(str(m) for m in errors)


def _base(request: HttpRequest, section: str, **extra: Any) -> dict[str, Any]:
    return {
        "here": "growth",
        "section": section,
        "can_edit": can_edit(request.user),
        "currency": business.currency(),
        **extra,
    }


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    standings = queries.goal_standings()
    ranked = queries.backlog()
    checks = list(HealthCheck.objects.all()[:4])
    return render(
        request,
        "growth/overview.html",
        _base(
            request,
            "overview",
            standings=standings,
            top=[
                e
                for items in ranked.values()
                for e in items
                if e.status in (ExperimentStatus.IDEA, ExperimentStatus.RUNNING)
            ][:5],
            running=Experiment.objects.filter(status=ExperimentStatus.RUNNING).count(),
            checks=checks,
        ),
    )


@require_http_methods(["GET", "POST"])
@role_required("edit")
def goal_new(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = GoalForm(
        request.POST or None,
        initial={
            "owner": request.user.pk,
            "start": today,
            "metric": "repeat_rate",
            "deadline": today + dt.timedelta(days=180),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.GOAL_FIELDS}
        try:
            goal = services.create_goal(actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            services.sync_live_check_ins()
            messages.success(request, "Goal saved.")
            return redirect("growth_goal", pk=goal.pk)
    return render(request, "growth/goal_form.html", _base(request, "overview", form=form))


@require_http_methods(["GET", "POST"])
@role_required("edit")
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal, pk=pk)
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.GOAL_FIELDS}
        try:
            services.update_goal(Goal.objects.get(pk=pk), actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # A goal moved onto a live figure (or an earlier start) gets its history now.
            services.sync_live_check_ins()
            messages.success(request, "Goal updated.")
            return redirect("growth_goal", pk=pk)
    return render(
        request, "growth/goal_form.html", _base(request, "overview", form=form, goal=goal)
    )


@require_GET
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.select_related("owner"), pk=pk)
    s = queries.standing(goal)
    return render(
        request,
        "growth/goal_detail.html",
        _base(
            request,
            "overview",
            goal=goal,
            s=s,
            p=s.projection,
            chart=charts.goal_chart(s, business.currency()),
            experiments=goal.experiments.all(),
            form=CheckInForm(initial={"on": timezone.localdate()}),
        ),
    )


@require_POST
@role_required("edit")
def goal_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal, pk=pk)
    form = CheckInForm(request.POST)
    if form.is_valid():
        value = form.cleaned_data["value"]
        if goal.unit == "%":
            value /= 100
        try:
            services.record_check_in(
                goal,
                on=form.cleaned_data["on"],
                value=value,
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Check-in recorded.")
    else:
        messages.error(
            request,
            "Check-in not recorded: "
            + "; ".join(
                f"{form.fields[f].label or f}: {' '.join(str(m) for m in e)}"
                for f, e in form.errors.items()
            ),
        )
    return redirect("growth_goal", pk=pk)


@require_GET
def backlog(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ExperimentStatus.values else ""
    ranked = queries.backlog(status=status)
    everything = [e for items in ranked.values() for e in items]
    return render(
        request,
        "growth/backlog.html",
        _base(
            request,
            "backlog",
            ice=ranked["ice"],
            rice=ranked["rice"],
            status=status,
            statuses=ExperimentStatus.choices,
            matrix=queries.ansoff(everything),
        ),
    )


@require_http_methods(["GET", "POST"])
@role_required("edit")
def experiment_new(request: HttpRequest) -> HttpResponse:
    initial = {"goal": request.GET.get("goal") or None, "alpha": 0.05}
    form = ExperimentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.EXPERIMENT_FIELDS}
        try:
            exp = services.create_experiment(actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Added to the backlog.")
            return redirect("growth_experiment", pk=exp.pk)
    return render(request, "growth/experiment_form.html", _base(request, "backlog", form=form))


@require_http_methods(["GET", "POST"])
@role_required("edit")
def experiment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    exp = get_object_or_404(Experiment, pk=pk)
    form = ExperimentForm(request.POST or None, instance=exp)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.EXPERIMENT_FIELDS}
        try:
            services.update_experiment(Experiment.objects.get(pk=pk), actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Experiment updated.")
            return redirect("growth_experiment", pk=pk)
    return render(
        request, "growth/experiment_form.html", _base(request, "backlog", form=form, exp=exp)
    )


def _analysis(exp: Experiment) -> dict[str, Any]:
    result = exp.result()
    bayes = exp.bayes()
    if result is not None and bayes is None and exp.measure == "mean":
        # result() is only given when all four moments are present.
        bayes = bayes_means(
            float(exp.mean_a or 0),
            float(exp.sd_a or 0),
            exp.n_a,
            float(exp.mean_b or 0),
            float(exp.sd_b or 0),
            exp.n_b,
        )
    arms = queries.arm_names(exp)
    return {
        "result": result,
        "bayes": bayes,
        "verdict": verdict(
            result,
            bayes,
            n_now=min(exp.n_a, exp.n_b),
            n_planned=exp.planned_per_arm,
            looks=exp.looks,
            arms=arms,
        ),
        "arm_a": arms[0],
        "arm_b": arms[1],
        "peeking": peeking_warning(
            min(exp.n_a, exp.n_b), exp.planned_per_arm, looks=max(exp.looks, 1)
        ),
        "arms_chart": charts.arms_chart(
            result, bayes, "%" if exp.measure == "proportion" else "", arms=arms
        ),
    }


@require_GET
def experiment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exp = get_object_or_404(Experiment.objects.select_related("goal", "campaign"), pk=pk)
    numbers = NumbersForm(
        measure=exp.measure, initial={f: getattr(exp, f) for f in services.NUMBER_FIELDS}
    )
    nexts = NEXT_STATUSES.get(exp.status, ())
    status_form = StatusForm()
    to_field = cast(forms.ChoiceField, status_form.fields["to"])
    to_field.choices = [(s, ExperimentStatus(s).label) for s in nexts]
    return render(
        request,
        "growth/experiment_detail.html",
        _base(
            request,
            "backlog",
            exp=exp,
            numbers=numbers,
            status_form=status_form,
            nexts=nexts,
            history=exp.history.select_related("actor"),
            money=_campaign_money(exp, request.GET.get("days", exp.outcome_days)),
            money_windows=WINDOWS,
            currency=business.currency(),
            **_analysis(exp),
        ),
    )


def _campaign_money(exp: Experiment, days: object) -> MoneyReport | None:
    """The linked campaign's variants against its holdout, once it has started."""
    if exp.campaign is None or exp.campaign.started_at is None:
        return None
    return campaign_money(exp.campaign, days=window_days(days))


@require_POST
@role_required("edit")
def experiment_numbers(request: HttpRequest, pk: int) -> HttpResponse:
    exp = get_object_or_404(Experiment, pk=pk)
    form = NumbersForm(request.POST, measure=exp.measure)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            services.record_experiment_numbers(exp, actor=request.user, **data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Numbers saved.")
    else:
        messages.error(
            request,
            "Numbers not saved: "
            + "; ".join(
                f"{form.fields[f].label if f in form.fields else 'Form'}: {_words(e)}"
                for f, e in form.errors.items()
            ),
        )
    return redirect("growth_experiment", pk=pk)


@require_POST
@role_required("edit")
def experiment_pull(request: HttpRequest, pk: int) -> HttpResponse:
    exp = get_object_or_404(Experiment, pk=pk)
    try:
        services.pull_campaign_numbers(exp, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Numbers read from the campaign: {_pulled(exp)}.")
    return redirect("growth_experiment", pk=pk)


def _pulled(exp: Experiment) -> str:
    if exp.campaign_outcome == CampaignOutcome.CLICKED:
        return "people reached and who clicked"
    if exp.campaign_outcome == CampaignOutcome.ORDERED:
        return f"people picked and who ordered within {exp.outcome_days} days"
    return f"revenue per person within {exp.outcome_days} days of being picked"


@require_POST
@role_required("edit")
def experiment_status(request: HttpRequest, pk: int) -> HttpResponse:
    exp = get_object_or_404(Experiment, pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_experiment_status(
                exp, form.cleaned_data["to"], actor=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Now {ExperimentStatus(form.cleaned_data['to']).label}.")
    return redirect("growth_experiment", pk=pk)


@require_GET
def ab_calculator(request: HttpRequest) -> HttpResponse:
    """Sample size, and an ad-hoc analysis of two arms' counts; nothing is stored."""
    size_form = SampleSizeForm(request.GET if request.GET.get("rate_a") else None)
    needed = None
    if size_form.is_bound and size_form.is_valid():
        d = size_form.cleaned_data
        needed = sample_size_proportions(
            d["rate_a"] / 100, d["rate_b"] / 100, alpha=d["alpha"], power=d["power"]
        )
    means_form = SampleSizeMeansForm(request.GET if request.GET.get("delta") else None)
    needed_means = None
    if means_form.is_bound and means_form.is_valid():
        d = means_form.cleaned_data
        needed_means = sample_size_means(
            d["delta"], d["sd"], alpha=d["m_alpha"], power=d["m_power"]
        )
    numbers = NumbersForm(request.GET if request.GET.get("n_a") else None, measure="proportion")
    analysis: dict[str, Any] = {}
    if numbers.is_bound and numbers.is_valid():
        d = numbers.cleaned_data
        try:
            result = proportions_test(d["n_a"], d["x_a"], d["n_b"], d["x_b"])
            bayes = bayes_proportions(d["n_a"], d["x_a"], d["n_b"], d["x_b"])
        except ValueError as exc:
            numbers.add_error(None, str(exc))
        else:
            analysis = {
                "result": result,
                "bayes": bayes,
                "verdict": verdict(
                    result, bayes, n_now=min(d["n_a"], d["n_b"]), n_planned=0, looks=0
                ),
                "arms_chart": charts.arms_chart(result, bayes),
            }
    return render(
        request,
        "growth/ab.html",
        _base(
            request,
            "ab",
            size_form=size_form,
            needed=needed,
            means_form=means_form,
            needed_means=needed_means,
            numbers=numbers,
            **analysis,
        ),
    )


@require_http_methods(["GET", "POST"])
@role_required("edit", writes_only=True)
def health_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _run_check(request)
    today = timezone.localdate()
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_end = quarter_start - dt.timedelta(days=1)
    last_start = dt.date(last_end.year, 3 * ((last_end.month - 1) // 3) + 1, 1)
    return render(
        request,
        "growth/health_list.html",
        _base(
            request,
            "health",
            checks=HealthCheck.objects.select_related("created_by"),
            form=HealthCheckForm(initial={"period_start": last_start, "period_end": last_end}),
            figures=MonthlyFigures.objects.order_by("-month")[:24],
            figures_form=MonthlyFiguresForm(initial={"month": today.replace(day=1)}),
        ),
    )


@require_http_methods(["POST"])
@role_required("edit")
def monthly_figures(request: HttpRequest) -> HttpResponse:
    form = MonthlyFiguresForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        services.save_monthly_figures(
            actor=request.user,
            month=d["month"],
            revenue=d["revenue"],
            cost_of_sales=d["cost_of_sales"],
            operating_costs=d["operating_costs"] or Decimal(0),
            employees=d["employees"],
        )
        messages.success(request, f"Figures for {d['month']:%B %Y} saved.")
    else:
        messages.error(
            request,
            "Figures not saved: "
            + "; ".join(f"{f}: {' '.join(str(m) for m in e)}" for f, e in form.errors.items()),
        )
    return redirect("growth_health")


def _run_check(request: HttpRequest) -> HttpResponse:
    form = HealthCheckForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "; ".join(" ".join(str(m) for m in e) for e in form.errors.values())
        )
        return redirect("growth_health")
    check = services.run_health_check(actor=request.user, **form.cleaned_data)
    messages.success(request, "Health check saved.")
    return redirect("growth_health_check", pk=check.pk)


def _report_context(check: HealthCheck) -> dict[str, Any]:
    previous = check.previous()
    figures = check.figures
    currency = figures.get("currency", business.currency())
    fin = figures.get("financial", {})
    return {
        "check": check,
        "previous": previous,
        "f": figures,
        "currency": currency,
        "rows": compare(figures, previous.figures if previous else None),
        "revenue_chart": charts.revenue_margin_chart(fin.get("series", []), currency),
        "margin_chart": charts.margin_chart(fin.get("series", [])),
        "business_name": business_name(),
        # The assessment as it stands when the report is read or printed.
        **assessment_context(),
    }


@require_GET
def health_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(HealthCheck, pk=pk)
    return render(
        request, "growth/health_detail.html", _base(request, "health", **_report_context(check))
    )


@require_GET
def health_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same report as a PDF, laid out for print (WeasyPrint)."""
    from weasyprint import HTML

    check = get_object_or_404(HealthCheck, pk=pk)
    html = render_to_string("growth/health_report.html", _report_context(check), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"health-check-{check.period_start:%Y-%m}-{check.period_end:%Y-%m}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
