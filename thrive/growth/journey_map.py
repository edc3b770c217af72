"""The customer journey found in the timeline: which step follows which, how many people
take each path, the median time between steps, and who stalls.

A *step* is the first time a person did something of one kind (first email, first call,
first order…), so a journey is each person's kinds in the order they first happened.
Everything is counted in SQL with window functions (LAG, LEAD, ROW_NUMBER), the same text
on SQLite and PostgreSQL apart from the difference of two times, so a timeline of a million
activities never comes into Python: only one row per transition and per step does.

*Usual* time out of a step: the time within which 90% of the people who went on from it
took their next step (nearest rank). A person whose latest step has waited longer than the
usual time out of it has *stalled* there; a step's *leak* is its stalled people ÷ the people
who reached it. The slowest transition has the highest median time; the leakiest step the
highest leak (each among paths and steps of at least ``MIN_PEOPLE`` people and
``MIN_SHARE`` of everyone mapped).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from thrive.contacts.models import Activity, ActivityKind

# Bookkeeping on the timeline rather than something the customer did or was sent; a stage
# change follows from those (a first order makes a client) and is written on creation.
IGNORED_KINDS = (
    ActivityKind.STAGE_CHANGE,
    ActivityKind.NOTE,
    ActivityKind.TAG_CHANGE,
    ActivityKind.CONSENT_CHANGE,
    ActivityKind.MERGE,
    ActivityKind.IDEA_STATUS,
)
MIN_PEOPLE = 3
# …and at least this share of everyone mapped, so a path three people took by chance years
# apart is not called the bottleneck of a business with thousands of customers.
MIN_SHARE = 0.02
LABELS = dict(ActivityKind.choices)


def _seconds(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def _steps_sql() -> tuple[str, list[Any]]:
    """Each person's steps with the one before and after, as CTEs ``firsts`` and ``steps``.

    The queries here splice only constant SQL and Django's own parameterised query (S608).
    """
    standing = (
        Activity.objects.filter(person__isnull=False)
        .exclude(kind__in=IGNORED_KINDS)
        .order_by()
        .values("person_id", "kind", "occurred_at")
    )
    inner, params = standing.query.sql_with_params()
    # Only constant SQL and Django's own parameterised query are spliced in.
    sql = f"""
    WITH firsts AS (
        SELECT a.person_id AS person_id, a.kind AS kind, MIN(a.occurred_at) AS at
        FROM ({inner}) a GROUP BY a.person_id, a.kind
    ),
    steps AS (
        SELECT person_id, kind, at,
               LAG(kind) OVER w AS prev_kind,
               LAG(at) OVER w AS prev_at,
               LEAD(kind) OVER w AS next_kind,
               LEAD(at) OVER w AS next_at
        FROM firsts
        WINDOW w AS (PARTITION BY person_id ORDER BY at, kind)
    )"""  # noqa: S608
    return sql, list(params)


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    people: int
    median_hours: float


@dataclass(frozen=True)
class Step:
    kind: str
    reached: int
    moved_on: int
    usual_hours: float | None  # None: nobody has gone on from here yet
    order: float  # the average position of this step in people's journeys
    starts: int = 0  # people whose journey begins here
    stalled: int = 0

    @property
    def leak(self) -> float:
        return self.stalled / self.reached if self.reached else 0.0


def transitions() -> list[Transition]:
    """People and median time for every step → next step, most travelled first."""
    base, params = _steps_sql()
    secs = _seconds("at", "prev_at")
    sql = f"""{base},
    durations AS (
        SELECT prev_kind, kind, {secs} AS secs FROM steps WHERE prev_kind IS NOT NULL
    ),
    ranked AS (
        SELECT prev_kind, kind, secs,
               ROW_NUMBER() OVER (PARTITION BY prev_kind, kind ORDER BY secs) AS rn,
               COUNT(*) OVER (PARTITION BY prev_kind, kind) AS n
        FROM durations
    )
    SELECT prev_kind, kind, n, AVG(secs) FROM ranked
    WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2
    GROUP BY prev_kind, kind, n
    ORDER BY n DESC, prev_kind, kind"""  # noqa: S608
    return [
        Transition(source, target, int(n), float(median) / 3600)
        for source, target, n, median in _rows(sql, params)
    ]


def steps() -> list[Step]:
    """Each step: people who reached it, who went on, the usual time to go on (90th
    percentile) and its average position in the journey."""
    base, params = _steps_sql()
    secs = _seconds("next_at", "at")
    sql = f"""{base},
    positioned AS (
        SELECT kind, next_kind, {secs} AS secs,
               ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY at, kind) AS position
        FROM steps
    ),
    onward AS (
        SELECT kind, secs,
               ROW_NUMBER() OVER (PARTITION BY kind ORDER BY secs) AS rn,
               COUNT(*) OVER (PARTITION BY kind) AS n
        FROM positioned WHERE next_kind IS NOT NULL
    ),
    usual AS (
        SELECT kind, MIN(secs) AS secs FROM onward
        WHERE rn = (9 * n + 9) / 10 GROUP BY kind
    ),
    reached AS (
        SELECT kind, COUNT(*) AS reached,
               SUM(CASE WHEN next_kind IS NULL THEN 0 ELSE 1 END) AS moved_on,
               AVG(position) AS position,
               SUM(CASE WHEN position = 1 THEN 1 ELSE 0 END) AS starts
        FROM positioned GROUP BY kind
    )
    SELECT r.kind, r.reached, r.moved_on, u.secs, r.position, r.starts
    FROM reached r LEFT JOIN usual u ON u.kind = r.kind
    ORDER BY r.position, r.kind"""  # noqa: S608
    return [
        Step(
            kind=kind,
            reached=int(reached),
            moved_on=int(moved_on),
            usual_hours=None if usual is None else float(usual) / 3600,
            order=float(position),
            starts=int(starts),
        )
        for kind, reached, moved_on, usual, position, starts in _rows(sql, params)
    ]


def stalled_people(usual: dict[str, float], *, now: dt.datetime) -> list[tuple[int, str]]:
    """(person, step) of everyone whose latest step has waited longer than usual."""
    if not usual:
        return []
    base, params = _steps_sql()
    values = " UNION ALL ".join("SELECT %s AS kind, %s AS cutoff" for _ in usual)
    cutoffs: list[Any] = []
    for kind, hours in usual.items():
        cutoff = now - dt.timedelta(hours=hours)
        cutoffs += [kind, connection.ops.adapt_datetimefield_value(cutoff)]
    sql = f"""{base},
    cutoffs AS ({values})
    SELECT s.person_id, s.kind FROM steps s JOIN cutoffs c ON c.kind = s.kind
    WHERE s.next_kind IS NULL AND s.at < c.cutoff
    ORDER BY s.kind, s.person_id"""  # noqa: S608
    return [(int(p), k) for p, k in _rows(sql, params + cutoffs)]


@dataclass(frozen=True)
class Journey:
    people: int
    steps: list[Step]
    transitions: list[Transition]
    stalled: list[tuple[int, str]]

    @property
    def enough(self) -> int:
        """The fewest people a path or step needs to be flagged."""
        return max(MIN_PEOPLE, math.ceil(MIN_SHARE * self.people))

    @property
    def slowest(self) -> Transition | None:
        candidates = [t for t in self.transitions if t.people >= self.enough]
        return max(candidates, key=lambda t: t.median_hours, default=None)

    @property
    def leakiest(self) -> Step | None:
        candidates = [s for s in self.steps if s.reached >= self.enough and s.stalled]
        return max(candidates, key=lambda s: s.leak, default=None)

    def payload(self) -> dict[str, Any]:
        slowest, leakiest = self.slowest, self.leakiest
        return {
            "people": self.people,
            "steps": [
                {
                    "kind": s.kind,
                    "label": LABELS.get(s.kind, s.kind),
                    "reached": s.reached,
                    "moved_on": s.moved_on,
                    "stalled": s.stalled,
                    "leak": s.leak,
                    "usual_hours": s.usual_hours,
                    "order": s.order,
                }
                for s in self.steps
            ],
            "transitions": [
                {
                    "from": t.source,
                    "to": t.target,
                    "people": t.people,
                    "median_hours": t.median_hours,
                }
                for t in self.transitions
            ],
            "slowest": None if slowest is None else [slowest.source, slowest.target],
            "leakiest": None if leakiest is None else leakiest.kind,
            "enough": self.enough,
        }


def discover(*, now: dt.datetime | None = None) -> Journey:
    """The whole journey as the timeline stands now."""
    now = now or timezone.now()
    found = steps()
    usual = {s.kind: s.usual_hours for s in found if s.usual_hours is not None}
    stalled = stalled_people(usual, now=now)
    counts: dict[str, int] = {}
    for _, kind in stalled:
        counts[kind] = counts.get(kind, 0) + 1
    found = [
        Step(s.kind, s.reached, s.moved_on, s.usual_hours, s.order, s.starts, counts.get(s.kind, 0))
        for s in found
    ]
    # Every journey begins at exactly one step.
    people = sum(s.starts for s in found)
    return Journey(people=people, steps=found, transitions=transitions(), stalled=stalled)
