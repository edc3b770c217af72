"""Orders and revenue per person in a window after each person's own start (a send, an
enrolment), and a matched control for arms without a holdout: reads only.

The campaign, sequence and workflow pages give each arm as {person id: start}; this module
reads the orders that count as revenue (in the business's currency) and returns per-person
arrays that ``thrive.insights.uplift`` turns into intervals and a verdict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from thrive.commerce.queries import net_amount, revenue_orders
from thrive.contacts.models import Person
from thrive.core import business
from thrive.insights.uplift import (
    ArmOutcome,
    Uplift,
    arm_outcome,
    compare_arms,
    without_top_spenders,
)

WINDOWS = (14, 30, 60)
DEFAULT_WINDOW = 30
# A matched control draws from at most this many candidates, so a page stays quick.
MAX_CANDIDATES = 20_000

CONTROL_HOLDOUT = "holdout"
CONTROL_MATCHED = "matched"

MATCHED_WORDS = (
    "a matched control: for each person, someone who was never enrolled, with the same "
    "number of earlier orders (none, one, two to four, five or more), given the same start "
    "date and drawn at random with a fixed seed. People chose or were chosen for this, so "
    "the comparison is weaker than a holdout."
)


def window_days(raw: object) -> int:
    """The window the reader chose, or the default when it is not one we offer."""
    try:
        days = int(str(raw))
    except ValueError:
        return DEFAULT_WINDOW
    return days if days in WINDOWS else DEFAULT_WINDOW


@dataclass(frozen=True)
class ArmMoney:
    """Per-person orders and revenue in the window, in the order of ``person_ids``."""

    person_ids: np.ndarray
    orders: np.ndarray
    revenue: np.ndarray
    observed_days: float  # the shortest window seen so far (less than asked while it runs)

    @property
    def outcome(self) -> ArmOutcome:
        return arm_outcome(self.orders, self.revenue)


def arm_money(starts: Mapping[int, dt.datetime], *, days: int, now: dt.datetime) -> ArmMoney:
    """Each person's revenue orders in [start, start + days), cut at ``now``."""
    ids = np.fromiter(starts.keys(), dtype=np.int64, count=len(starts))
    orders = np.zeros(ids.size, dtype=np.int64)
    revenue = np.zeros(ids.size, dtype=np.float64)
    if not ids.size:
        return ArmMoney(ids, orders, revenue, float(days))
    window = dt.timedelta(days=days)
    first = min(starts.values())
    last = min(max(starts.values()) + window, now)
    position = {int(pid): i for i, pid in enumerate(ids)}
    rows = (
        revenue_orders(currency=business.currency())
        .filter(person_id__in=list(starts), ordered_at__gte=first, ordered_at__lt=last)
        .annotate(net=net_amount())
        .values_list("person_id", "ordered_at", "net")
    )
    for person_id, ordered_at, net in rows.iterator(chunk_size=2000):
        start = starts[person_id]
        if start <= ordered_at < min(start + window, now):
            i = position[person_id]
            orders[i] += 1
            revenue[i] += float(net)
    observed = min((min(s + window, now) - s).total_seconds() for s in starts.values()) / 86400
    return ArmMoney(ids, orders, revenue, max(observed, 0.0))


def _bucket(prior: np.ndarray) -> np.ndarray:
    """Earlier orders: 0, 1, 2–4, 5+ → 0, 1, 2, 3."""
    return np.select([prior <= 0, prior == 1, prior <= 4], [0, 1, 2], default=3)


def matched_starts(
    starts: Mapping[int, dt.datetime], *, exclude: set[int], seed: int = 2026
) -> dict[int, dt.datetime]:
    """A control arm for ``starts``: one never-enrolled person per treated person, with the
    same number of earlier orders (bucketed) at that person's start, given the same start.

    Candidates are people not in ``exclude`` (up to ``MAX_CANDIDATES``, buyers first, lowest
    ids first); each is used once. Treated people without a match go unmatched.
    """
    rng = np.random.default_rng(seed)
    currency = business.currency()
    candidates = list(
        revenue_orders(currency=currency)
        .exclude(person_id__in=exclude)
        .values_list("person_id", flat=True)
        .distinct()
        .order_by("person_id")[:MAX_CANDIDATES]
    )
    never = list(
        Person.objects.exclude(pk__in=exclude)
        .exclude(pk__in=candidates)
        .order_by("pk")
        .values_list("pk", flat=True)[: max(MAX_CANDIDATES - len(candidates), 0)]
    )
    pool = np.array(candidates + never, dtype=np.int64)
    if not pool.size or not starts:
        return {}
    index = {int(pid): i for i, pid in enumerate(pool)}
    owner: list[int] = []
    stamps: list[float] = []
    for pid, at in (
        revenue_orders(currency=currency)
        .filter(person_id__in=candidates)
        .values_list("person_id", "ordered_at")
        .iterator(chunk_size=5000)
    ):
        owner.append(index[pid])
        stamps.append(at.timestamp())
    order_owner = np.array(owner, dtype=np.int64)
    order_time = np.array(stamps, dtype=np.float64)
    treated_prior = _prior_orders(list(starts), starts)
    free = np.ones(pool.size, dtype=bool)
    control: dict[int, dt.datetime] = {}
    # Treated people by start, so candidates' earlier orders are counted once per start.
    by_start: dict[dt.datetime, list[int]] = {}
    for pid, start in starts.items():
        by_start.setdefault(start, []).append(pid)
    for start in sorted(by_start):
        prior = np.bincount(order_owner[order_time < start.timestamp()], minlength=pool.size)
        bucket = _bucket(prior)
        for pid in sorted(by_start[start]):
            want = int(_bucket(np.array([treated_prior.get(pid, 0)]))[0])
            match = np.flatnonzero((bucket == want) & free)
            if not match.size:
                continue
            chosen = int(rng.choice(match))
            free[chosen] = False
            control[int(pool[chosen])] = start
    return control


def _prior_orders(ids: list[int], starts: Mapping[int, dt.datetime]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for pid, at in (
        revenue_orders(currency=business.currency())
        .filter(person_id__in=ids)
        .values_list("person_id", "ordered_at")
        .iterator(chunk_size=5000)
    ):
        if at < starts[pid]:
            counts[pid] = counts.get(pid, 0) + 1
    return counts


@dataclass(frozen=True)
class Judged:
    """One arm against its control, ready for a page."""

    label: str
    treated: ArmMoney
    control: ArmMoney
    control_kind: str  # CONTROL_HOLDOUT or CONTROL_MATCHED
    uplift: Uplift
    days: int
    words: str = ""  # what the arm is, spelled out (its template and subject)
    fragile: str = ""  # set when the verdict rests on the top 1% of spenders

    @property
    def window_open(self) -> bool:
        return min(self.treated.observed_days, self.control.observed_days) < self.days

    @property
    def observed(self) -> int:
        return int(min(self.treated.observed_days, self.control.observed_days))


def judge(
    label: str,
    treated: Mapping[int, dt.datetime],
    control: Mapping[int, dt.datetime],
    *,
    control_kind: str,
    days: int,
    now: dt.datetime,
    words: str = "",
) -> Judged:
    t = arm_money(treated, days=days, now=now)
    c = arm_money(control, days=days, now=now)
    uplift = compare_arms(t.outcome, c.outcome)
    return Judged(label, t, c, control_kind, uplift, days, words, _fragile(uplift, t, c))


def _fragile(uplift: Uplift, t: ArmMoney, c: ArmMoney) -> str:
    """Words when leaving out each group's top 1% of spenders changes the verdict."""
    if uplift.verdict not in ("more", "less", "unclear"):
        return ""
    trimmed = compare_arms(
        arm_outcome(*without_top_spenders(t.orders, t.revenue)),
        arm_outcome(*without_top_spenders(c.orders, c.revenue)),
    )
    if trimmed.verdict == uplift.verdict:
        return ""
    return (
        "This rests on a few large orders: without the top 1% of spenders in each group, "
        f"the difference is {trimmed.revenue_difference:+,.2f} per person "
        f"({trimmed.revenue_low:+,.2f} to {trimmed.revenue_high:+,.2f})."
    )
