"""What the demo business shows of growth planning: Maya's repeat-purchase goal followed
live, a scored backlog across the Ansoff matrix with one A/B test of two win-back emails
decided honestly, the owner's monthly figures and two quarterly health checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from thrive.analytics.aggregates import business_zone, monthly_revenue
from thrive.commerce.models import Order
from thrive.outreach.models import Campaign

from . import services
from .demo_planning import seed_planning
from .models import CheckInSource, Experiment, ExperimentStatus, Goal, HealthCheck, MonthlyFigures

REPEAT_GOAL = "Repeat-purchase rate up 7 points by June"

# (title, hypothesis, kpi, path, stance, method, impact, confidence, ease, reach, effort)
BACKLOG = [
    (
        "Win-back email: Tom's personal note vs a 10% code",
        "We believe a short personal note from Tom will bring lapsed customers back more "
        "often than a discount code, because they miss the people, not the price.",
        "Came back within 30 days",
        "penetration",
        "differentiation",
        "ice",
        8,
        7,
        9,
        0,
        1,
    ),
    (
        "Subscription nudge after the third order",
        "Customers on their third order will start a subscription when offered one on the "
        "receipt, because they already buy monthly.",
        "Subscription starts",
        "penetration",
        "differentiation",
        "ice",
        7,
        6,
        8,
        0,
        1,
    ),
    (
        "Free shipping over $40",
        "A free-shipping threshold just above the average order will lift order value.",
        "Average order value",
        "penetration",
        "cost",
        "ice",
        5,
        5,
        9,
        0,
        1,
    ),
    (
        "Brewing workshops for subscribers",
        "Monthly workshops will keep subscribers longer, because they learn to love the beans.",
        "Subscriber retention",
        "product_development",
        "differentiation",
        "rice",
        2,
        60,
        0,
        120,
        1.5,
    ),
    (
        "Cold-brew cans in the shop",
        "A ready-to-drink cold brew sells to the summer visitors we already have.",
        "Summer revenue",
        "product_development",
        "differentiation",
        "rice",
        1,
        50,
        0,
        900,
        3,
    ),
    (
        "Wholesale to cafés in the next town",
        "Two cafés in Millbrook will take our house espresso if we deliver weekly.",
        "Wholesale accounts",
        "market_development",
        "focus",
        "rice",
        3,
        70,
        0,
        40,
        2,
    ),
    (
        "A tasting corner in the roastery",
        "Weekend tastings will bring a new crowd who then buy beans.",
        "New customers",
        "diversification",
        "focus",
        "ice",
        6,
        3,
        3,
        0,
        1,
    ),
]


def _repeat_rate_at(day: dt.date) -> float | None:
    from .health import repeat_rate_before

    return repeat_rate_before(dt.datetime.combine(day, dt.time.min, tzinfo=business_zone()))


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    m = day.year * 12 + day.month - 1 - back
    return dt.date(m // 12, m % 12 + 1, 1)


def _goals(owner: object, today: dt.date) -> None:
    if Goal.objects.filter(name=REPEAT_GOAL).exists():
        return
    start = _month_start(today, 3)
    baseline = _repeat_rate_at(start)
    if baseline is None:
        return
    # "By June": the next June at least two months away.
    deadline = dt.date(today.year, 6, 30)
    if deadline < today + dt.timedelta(days=60):
        deadline = dt.date(today.year + 1, 6, 30)
    goal = services.create_goal(
        actor=None,
        name=REPEAT_GOAL,
        metric="repeat_rate",
        custom_label="",
        unit="%",
        baseline=round(baseline, 4),
        target=round(baseline + 0.07, 4),
        start=start,
        deadline=deadline,
        owner=owner,
        why="Customers who come back a second time are worth five times a one-off buyer; "
        "the win-back emails and the subscription nudge are aimed here.",
    )
    for back in (2, 1):
        day = _month_start(today, back)
        value = _repeat_rate_at(day)
        if value is not None:
            services.record_check_in(
                goal,
                on=day,
                value=value,
                actor=None,
                source=CheckInSource.LIVE,
                note="From the order history",
            )
    wholesale = services.create_goal(
        actor=None,
        name="Twelve wholesale cafés by spring",
        metric="custom",
        custom_label="Wholesale accounts",
        unit="",
        baseline=6,
        target=12,
        start=_month_start(today, 2),
        deadline=dt.date(today.year + 1, 3, 31),
        owner=owner,
        why="Wholesale evens out the quiet months.",
    )
    for back, value in ((1, 7), (0, 9)):
        services.record_check_in(
            wholesale,
            on=_month_start(today, back) + dt.timedelta(days=4),
            value=value,
            actor=None,
            note="Counted by hand",
        )


def _backlog(goal: Goal | None) -> None:
    if Experiment.objects.exists():
        return
    made = {}
    for title, hyp, kpi, path, stance, method, impact, conf, ease, reach, effort in BACKLOG:
        made[title] = services.create_experiment(
            actor=None,
            title=title,
            hypothesis=hyp,
            kpi=kpi,
            growth_path=path,
            stance=stance,
            score_method=method,
            impact=impact,
            confidence=conf,
            ease=ease,
            reach=reach,
            effort=effort,
            goal=goal if path == "penetration" else None,
        )
    winback = made[BACKLOG[0][0]]
    services.update_experiment(winback, actor=None, planned_per_arm=1100)
    services.change_experiment_status(winback, ExperimentStatus.RUNNING, actor=None)
    services.record_experiment_numbers(winback, actor=None, n_a=1180, x_a=94, n_b=1204, x_b=131)
    services.change_experiment_status(
        winback, ExperimentStatus.MEASURED, actor=None, note="Both arms past 1,100 people."
    )
    nudge = made[BACKLOG[1][0]]
    services.update_experiment(nudge, actor=None, planned_per_arm=900)
    services.change_experiment_status(nudge, ExperimentStatus.RUNNING, actor=None)
    services.record_experiment_numbers(nudge, actor=None, n_a=310, x_a=22, n_b=305, x_b=33)
    shipping = made[BACKLOG[2][0]]
    services.update_experiment(shipping, actor=None, measure="mean", planned_per_arm=140)
    services.change_experiment_status(shipping, ExperimentStatus.RUNNING, actor=None)
    services.record_experiment_numbers(
        shipping, actor=None, n_a=140, mean_a=32.5, sd_a=11.0, n_b=150, mean_b=33.4, sd_b=12.5
    )
    services.change_experiment_status(shipping, ExperimentStatus.MEASURED, actor=None)
    services.change_experiment_status(
        shipping,
        ExperimentStatus.STOPPED,
        actor=None,
        note="No detectable lift in order value (p ≈ 0.52); shipping costs were real.",
    )


SUBJECT_TEST = "Which subject sells the small lots?"


def _campaign_experiment() -> None:
    """The demo's A/B campaign (with its holdout) as an experiment judged on revenue per
    person in the 30 days after the send, its numbers read from the campaign."""
    if Experiment.objects.filter(title=SUBJECT_TEST).exists():
        return
    campaign = (
        Campaign.objects.filter(holdout_percent__gt=0, started_at__isnull=False)
        .filter(variants__label="B")
        .order_by("pk")
        .first()
    )
    if campaign is None:
        return
    exp = services.create_experiment(
        actor=None,
        title=SUBJECT_TEST,
        hypothesis="We believe that a subject naming the farm, for our customers, will sell "
        "more of the new small lots in the month after the send, because it reads as news.",
        kpi="Revenue per person, 30 days",
        growth_path="penetration",
        stance="differentiation",
        score_method="ice",
        impact=6,
        confidence=5,
        ease=9,
        campaign=campaign,
        measure="mean",
        campaign_outcome="revenue",
        outcome_days=30,
    )
    services.change_experiment_status(exp, ExperimentStatus.RUNNING, actor=None)
    services.pull_campaign_numbers(exp, actor=None)


def _figures(today: dt.date) -> None:
    """Eighteen months of the owner's books: revenue from the orders, costs as a roaster's."""
    if MonthlyFigures.objects.exists():
        return
    months, revenue = monthly_revenue(as_of=_month_start(today))
    for i, (month, amount) in enumerate(list(zip(months, revenue, strict=True))[-18:]):
        first = dt.date.fromisoformat(str(month) + "-01")
        # Green coffee got dearer through the year; a second roaster joined last spring.
        cost_share = Decimal("0.36") + Decimal(i % 5) / 200 + (Decimal("0.03") if i > 9 else 0)
        rev = Decimal(str(round(float(amount), 2)))
        services.save_monthly_figures(
            actor=None,
            month=first,
            revenue=rev,
            cost_of_sales=(rev * cost_share).quantize(Decimal("0.01")),
            operating_costs=(rev * Decimal("0.45")).quantize(Decimal("0.01")) + 150,
            employees=3.0 if i < 10 else 4.0,
        )


def _health(today: dt.date) -> None:
    if HealthCheck.objects.exists():
        return
    q_start = _month_start(today, (today.month - 1) % 3)
    for back in (2, 1):
        start = _month_start(q_start, 3 * back)
        end = _month_start(q_start, 3 * (back - 1)) - dt.timedelta(days=1)
        services.run_health_check(
            actor=None,
            period_start=start,
            period_end=end,
            summary="Steady quarter; wholesale grew while retail softened." if back == 1 else "",
            competitive_notes="A chain café opened on the high street; our subscribers stayed."
            if back == 1
            else "",
        )


def _demo_today() -> dt.date:
    """The demo's own "today": the day after its last order (the demo may be built as of
    a past day), so the same build always seeds the same goals and checks."""
    last = Order.objects.order_by("-ordered_at").values_list("ordered_at", flat=True).first()
    if last is None:
        return timezone.localdate()
    return last.astimezone(business_zone()).date() + dt.timedelta(days=1)


def seed_demo(owner_username: str) -> None:
    """Seed the demo's goals, backlog, figures and health checks (idempotent)."""
    owner = get_user_model().objects.filter(username=owner_username).first()
    if owner is None:
        return
    today = _demo_today()
    _goals(owner, today)
    goal = Goal.objects.filter(name=REPEAT_GOAL).first()
    _backlog(goal)
    _campaign_experiment()
    _figures(today)
    _health(today)
    services.sync_live_check_ins()
    # Assessment, journey map, roadmap and playbooks (after the backlog they build on).
    seed_planning(owner, today)
