"""Reads for customer voice: the board and its ranking, NPS series, a person's voice.

The database aggregates per idea (supporters, weight sums, segment and channel counts)
and per month (NPS category counts); only those summaries reach the insights core.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Ln, TruncMonth
from django.utils import timezone

from thrive.analytics.models import CustomerScore
from thrive.contacts.models import AcquisitionChannel, Person, Stage
from thrive.insights.ideas import IMPORTANCE_WEIGHTS, rank_ideas
from thrive.insights.kpis import TimeToMarket, time_to_market
from thrive.insights.nps import NPSResult, nps_from_counts
from thrive.segments.models import Segment

from .models import Idea, IdeaStatus, Importance, SurveyResponse, Vote

TRENDING_DAYS = 14
# Segments considered for breadth; more would make the ranking query heavy.
MAX_SEGMENTS = 20
ORDERS = {
    "rank": "Best supported",
    "newest": "Newest",
    "trending": f"Trending ({TRENDING_DAYS} days)",
    "discussed": "Most discussed",
}
# ``values().annotate()`` rows with computed keys, which the stubs cannot name.
Rows = Iterable[dict[str, Any]]
OPEN_STATUSES = [IdeaStatus.OPEN, IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS]


@dataclass
class Standing:
    """Why an idea ranks where it does."""

    score: float = 0.0
    supporters: int = 0
    lower_bound: float = 0.0
    value_factor: float = 0.0
    breadth: float = 1.0
    revenue: float = 0.0
    importance: dict[str, int] = field(default_factory=dict)
    segments: list[tuple[str, int]] = field(default_factory=list)
    channels: list[tuple[str, int]] = field(default_factory=list)
    base_size: int = 0

    @property
    def share_floor(self) -> float:
        """The Wilson lower bound as a percentage of the base."""
        return 100.0 * self.lower_bound


def _value_expr(prefix: str) -> Any:
    """max(revenue, predicted CLV, 0) of a person reached by ``prefix``, as a float."""
    revenue = Coalesce(Cast(f"{prefix}score__revenue", FloatField()), Value(0.0))
    clv = Coalesce(Cast(f"{prefix}score__predicted_clv", FloatField()), Value(0.0))
    return Greatest(revenue, clv, Value(0.0))


def reference_value() -> float:
    """The base's mean customer value (v_ref in thrive.insights.ideas)."""
    row = CustomerScore.objects.aggregate(
        total=Sum(Greatest(Cast("revenue", FloatField()), Cast("predicted_clv", FloatField()),
                           Value(0.0))),
        n=Count("id"),
    )  # fmt: skip
    return float(row["total"] or 0.0) / row["n"] if row["n"] else 0.0


def base_size() -> int:
    """Active customers plus anyone who voted: the N of the support share."""
    return (
        Person.objects.filter(
            Q(stage__in=[Stage.CLIENT, Stage.ADVOCATE]) | Q(idea_votes__isnull=False)
        )
        .distinct()
        .count()
    )


def standings(ideas: QuerySet[Idea]) -> dict[int, Standing]:
    """Score and explanation for each of ``ideas`` (see thrive.insights.ideas)."""
    ref = reference_value()
    weight = Case(
        *[When(votes__importance=k, then=Value(float(w))) for k, w in IMPORTANCE_WEIGHTS.items()],
        default=Value(1.0),
        output_field=FloatField(),
    )
    value = _value_expr("votes__person__")
    # u = m · (1 + ln(1 + v / v_ref)); with no reference value every v counts as 0.
    log_term = Ln(Value(1.0) + value / Value(ref)) if ref > 0 else Value(0.0)
    segments = list(Segment.objects.order_by("name")[:MAX_SEGMENTS])
    annotations: dict[str, Any] = {
        "k": Count("votes"),
        "wsum": Coalesce(Sum(weight * (Value(1.0) + log_term), output_field=FloatField()),
                         Value(0.0)),
        "revenue": Coalesce(Sum(Cast("votes__person__score__revenue", FloatField())), Value(0.0)),
    }  # fmt: skip
    for key in IMPORTANCE_WEIGHTS:
        annotations[f"imp_{key}"] = Count("votes", filter=Q(votes__importance=key))
    for i, segment in enumerate(segments):
        annotations[f"seg_{i}"] = Count("votes", filter=Q(votes__person__in=segment.people()))
    rows = list(cast(Rows, ideas.order_by().values("pk").annotate(**annotations)))
    if not rows:
        return {}
    ids = [r["pk"] for r in rows]
    position: dict[int, int] = {pk: i for i, pk in enumerate(ids)}
    channels: dict[int | None, str] = {c.pk: c.name for c in AcquisitionChannel.objects.all()}
    chan_col = {cid: j for j, cid in enumerate([None, *channels])}
    chan_counts = np.zeros((len(ids), len(chan_col)))
    for row in (
        Vote.objects.filter(idea_id__in=ids)
        .values("idea_id", channel=F("person__acquisition_channel_id"))
        .annotate(n=Count("id"))
    ):
        chan_counts[position[row["idea_id"]], chan_col[row["channel"]]] = row["n"]
    seg_counts = np.array([[r[f"seg_{i}"] for i in range(len(segments))] for r in rows],
                          dtype=float).reshape(len(rows), len(segments))  # fmt: skip
    n = base_size()
    ranking = rank_ideas(
        np.array([r["k"] for r in rows], dtype=float),
        np.array([r["wsum"] for r in rows], dtype=float),
        seg_counts,
        chan_counts,
        base_size=n,
        segment_categories=len(segments),
        channel_categories=len(chan_col),
    )
    names: dict[int | None, str] = {None: "Unknown", **channels}
    out: dict[int, Standing] = {}
    for i, r in enumerate(rows):
        out[r["pk"]] = Standing(
            score=float(ranking.score[i]),
            supporters=int(r["k"]),
            lower_bound=float(ranking.lower_bound[i]),
            value_factor=float(ranking.value_factor[i]),
            breadth=float(ranking.breadth[i]),
            revenue=float(r["revenue"]),
            importance={Importance(k).label: int(r[f"imp_{k}"]) for k in IMPORTANCE_WEIGHTS},
            segments=[(s.name, int(seg_counts[i, j])) for j, s in enumerate(segments)
                      if seg_counts[i, j] > 0],
            channels=[(names[cid], int(chan_counts[i, j])) for cid, j in chan_col.items()
                      if chan_counts[i, j] > 0],
            base_size=max(n, int(r["k"])),
        )  # fmt: skip
    return out


# "One of the most wanted this month" on the public board: the few open ideas most
# customers backed in the last month (at least two, so one vote alone is not a trend).
MOST_WANTED_DAYS = 30
MOST_WANTED_COUNT = 3
MOST_WANTED_MIN_VOTES = 2


def most_wanted_ids() -> set[int]:
    """The open ideas most customers backed in the last month, in words customers read
    without statistics (the staff pages keep the ranking's figures)."""
    since = timezone.now() - dt.timedelta(days=MOST_WANTED_DAYS)
    rows = (
        Idea.objects.filter(merged_into__isnull=True, status__in=OPEN_STATUSES)
        .annotate(recent=Count("votes", filter=Q(votes__created_at__gte=since), distinct=True))
        .filter(recent__gte=MOST_WANTED_MIN_VOTES)
        .order_by("-recent", "pk")
        .values_list("pk", flat=True)[:MOST_WANTED_COUNT]
    )
    return set(rows)


def board(*, order: str = "rank", search: str = "", status: str = "") -> list[Idea]:
    """Live ideas for the board, each with ``supporters``, ``comment_count``,
    ``recent_votes`` and ``standing`` attached, in the requested order."""
    ideas = Idea.objects.filter(merged_into__isnull=True)
    if status == "all":
        pass
    elif status in IdeaStatus.values:
        ideas = ideas.filter(status=status)
    else:
        ideas = ideas.filter(status__in=OPEN_STATUSES)
    if search:
        ideas = ideas.filter(Q(title__icontains=search) | Q(body__icontains=search))
    since = timezone.now() - dt.timedelta(days=TRENDING_DAYS)
    listed = list(
        ideas.annotate(
            supporters=Count("votes", distinct=True),
            comment_count=Count("comments", filter=Q(comments__hidden=False), distinct=True),
            recent_votes=Count("votes", filter=Q(votes__created_at__gte=since), distinct=True),
        )
    )
    ranks = standings(Idea.objects.filter(pk__in=[i.pk for i in listed]))
    for idea in listed:
        idea.standing = ranks.get(idea.pk, Standing())  # type: ignore[attr-defined]
    keys = {
        "newest": lambda i: (i.created_at, i.pk),
        "trending": lambda i: (i.recent_votes, i.supporters, i.created_at),
        "discussed": lambda i: (i.comment_count, i.supporters, i.created_at),
    }
    key = keys.get(order, lambda i: (i.standing.score, i.supporters, i.created_at))
    return sorted(listed, key=key, reverse=True)


# --- NPS -------------------------------------------------------------------------------

_CATEGORY_COUNTS = {
    "promoters": Count("id", filter=Q(score__gte=9)),
    "passives": Count("id", filter=Q(score__gte=7, score__lte=8)),
    "detractors": Count("id", filter=Q(score__lte=6)),
}


def _result(row: dict[str, Any]) -> NPSResult | None:
    counts = (row["promoters"], row["passives"], row["detractors"])
    return nps_from_counts(*counts) if sum(counts) else None


def responses(survey_id: int | None = None) -> QuerySet[SurveyResponse]:
    qs = SurveyResponse.objects.all()
    return qs.filter(survey_id=survey_id) if survey_id else qs


def nps_between(start: dt.datetime, end: dt.datetime) -> NPSResult | None:
    """NPS of answers given in [start, end); None without answers."""
    return _result(
        SurveyResponse.objects.filter(answered_at__gte=start, answered_at__lt=end).aggregate(
            **_CATEGORY_COUNTS
        )
    )


def nps_by_month(qs: QuerySet[SurveyResponse]) -> list[tuple[dt.date, NPSResult]]:
    rows = cast(
        Rows,
        qs.annotate(month=TruncMonth("answered_at"))
        .values("month")
        .annotate(**_CATEGORY_COUNTS)
        .order_by("month"),
    )
    out = []
    for row in rows:
        result = _result(row)
        if result is not None:
            out.append((row["month"], result))
    return out


def nps_by_segment(qs: QuerySet[SurveyResponse]) -> list[tuple[str, NPSResult]]:
    segments = list(Segment.objects.order_by("name")[:MAX_SEGMENTS])
    if not segments:
        return []
    aggregates: dict[str, Any] = {}
    for i, segment in enumerate(segments):
        inside = Q(person__in=segment.people())
        aggregates[f"p{i}"] = Count("id", filter=inside & Q(score__gte=9))
        aggregates[f"n{i}"] = Count("id", filter=inside & Q(score__gte=7, score__lte=8))
        aggregates[f"d{i}"] = Count("id", filter=inside & Q(score__lte=6))
    row = qs.aggregate(**aggregates)
    out = []
    for i, segment in enumerate(segments):
        result = _result({"promoters": row[f"p{i}"], "passives": row[f"n{i}"],
                          "detractors": row[f"d{i}"]})  # fmt: skip
        if result is not None:
            out.append((segment.name, result))
    return out


def nps_by_channel(qs: QuerySet[SurveyResponse]) -> list[tuple[str, NPSResult]]:
    rows = cast(
        Rows,
        qs.values(channel=F("person__acquisition_channel__name"))
        .annotate(**_CATEGORY_COUNTS)
        .order_by("channel"),
    )
    out = []
    for row in rows:
        result = _result(row)
        if result is not None:
            out.append((row["channel"] or "Unknown", result))
    return out


# --- Time to market --------------------------------------------------------------------


def idea_time_to_market(*, now: dt.datetime | None = None) -> TimeToMarket:
    """Creation → done, over live ideas that were not declined (one row per idea; the
    number of ideas is small, unlike orders)."""
    now = now or timezone.now()
    rows = list(
        Idea.objects.filter(merged_into__isnull=True)
        .exclude(status=IdeaStatus.DECLINED)
        .values_list("created_at", "done_at")
    )

    def as_np(value: dt.datetime | None) -> np.datetime64:
        if value is None:
            return np.datetime64("NaT", "s")
        return np.datetime64(value.astimezone(dt.UTC).replace(tzinfo=None), "s")

    created = np.array([as_np(c) for c, _ in rows], dtype="datetime64[s]")
    done = np.array([as_np(d) for _, d in rows], dtype="datetime64[s]")
    return time_to_market(created, done, now=as_np(now))


# --- One person ------------------------------------------------------------------------


def person_voice(person: Person) -> dict[str, Any]:
    """Ideas a person supports and their survey answers, for the 360° page."""
    return {
        "votes": list(
            Vote.objects.filter(person=person).select_related("idea").order_by("-created_at")[:20]
        ),
        "answers": list(
            SurveyResponse.objects.filter(person=person)
            .select_related("survey")
            .order_by("-answered_at")[:20]
        ),
    }


def fmt_interval(result: NPSResult) -> str:
    """ "+32 (95% CI +18 to +45)" using the adjusted-Wald interval."""
    lo, hi = result.adjusted_ci_low, result.adjusted_ci_high
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{result.score:+.0f}"
    return f"{result.score:+.0f} (95% CI {lo:+.0f} to {hi:+.0f})"


# Automations sit above voice: the automations app tells the survey list which workflows
# send each survey (survey id -> workflow names) at start-up.
_survey_workflows: list[Callable[[], dict[int, list[str]]]] = []


def register_survey_workflows(lookup: Callable[[], dict[int, list[str]]]) -> None:
    _survey_workflows[:] = [lookup]


def survey_workflows() -> dict[int, list[str]]:
    """Survey id -> names of the workflows with a "send survey" step for it."""
    return _survey_workflows[0]() if _survey_workflows else {}
