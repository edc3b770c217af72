"""Funnel conversion and time-in-stage from stage-transition histories.

Input is an event log, one row per stage change: person id, ``from`` stage (empty string
or None when the person is created), ``to`` stage, timestamp.  The default ladder is
:data:`FUNNEL_STAGES` (suspect → prospect → client → advocate) plus the terminal
:data:`LOST_STAGE`.

Conversion
    A person *reached* ladder stage k when any row shows them in a stage at or above k
    (as ``from`` or ``to``): skipping a rung counts as passing through it, so the funnel
    is cumulative and ``reached`` never increases along the ladder.

        conversion_rate[k] = reached[k + 1] / reached[k]      (NaN when reached[k] == 0)
        overall_conversion = reached[-1] / reached[0]

    Because reaching k + 1 implies reaching k, this is exactly "share of the people who
    ever reached k that (then or later) reached k + 1".

Time in stage
    Every row that moves a person *into* a ladder stage opens a spell, closed by the
    person's next row (whatever it says).  Spells with no next row are still running:
    they are **right-censored at** ``now`` and the median duration is the Kaplan–Meier
    median (Kaplan & Meier 1958), the smallest t with Ŝ(t) <= 0.5.  Ignoring or closing
    open spells at ``now`` would bias the median down.  If Ŝ never falls to 0.5 the
    median is NaN (more than half are still in the stage).  A person whose first row
    leaves a stage they were never seen entering contributes no spell for that stage
    (entry time unknown).  Durations are in days (fractional).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FUNNEL_STAGES", "LOST_STAGE", "FunnelMetrics", "funnel_metrics", "km_median"]

FUNNEL_STAGES: tuple[str, ...] = ("suspect", "prospect", "client", "advocate")
LOST_STAGE = "lost"

_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True, slots=True)
class FunnelMetrics:
    """Per-stage funnel figures; arrays follow ``stages``."""

    stages: tuple[str, ...]
    reached: np.ndarray  # int64 (n_stages,): people who reached each stage
    conversion_rate: np.ndarray  # float64 (n_stages - 1,): stage k -> k + 1
    overall_conversion: float  # reached[-1] / reached[0]; NaN if nobody entered
    lost: np.ndarray  # int64 (n_stages,): people who went from the stage to lost
    in_stage_now: np.ndarray  # int64 (n_stages,): people whose latest row put them there
    median_days_in_stage: np.ndarray  # float64 (n_stages,): Kaplan–Meier median, or NaN
    completed_spells: np.ndarray  # int64 (n_stages,)
    censored_spells: np.ndarray  # int64 (n_stages,): still in the stage at `now`


def km_median(durations: np.ndarray, completed: np.ndarray) -> float:
    """Kaplan–Meier median of right-censored durations.

    Ŝ(t) = Π_{t_j <= t} (1 - d_j / n_j) over distinct completion times t_j, with d_j
    completions at t_j and n_j spells lasting at least t_j (censorings at t_j count as
    at risk, the usual convention).  Returns the smallest t_j with Ŝ(t_j) <= 0.5, or NaN
    when there is none (including empty input).
    """
    t = np.asarray(durations, dtype=np.float64).reshape(-1)
    done = np.asarray(completed, dtype=bool).reshape(-1)
    if t.size != done.size:
        raise ValueError("durations and completed must have equal length")
    if t.size == 0 or not done.any():
        return float("nan")
    all_sorted = np.sort(t)
    times, d = np.unique(t[done], return_counts=True)
    at_risk = t.size - np.searchsorted(all_sorted, times, side="left")
    surv = np.cumprod(1.0 - d / at_risk)
    hit = np.flatnonzero(surv <= 0.5)
    return float(times[hit[0]]) if hit.size else float("nan")


def _labels(x: np.ndarray) -> np.ndarray:
    a = np.asarray(x, dtype=object).reshape(-1)
    return np.array(["" if v is None else str(v) for v in a], dtype=object)


def funnel_metrics(
    person_ids: np.ndarray,
    from_stages: np.ndarray,
    to_stages: np.ndarray,
    timestamps: np.ndarray,
    *,
    stages: tuple[str, ...] = FUNNEL_STAGES,
    now: np.datetime64 | str,
    lost_stage: str = LOST_STAGE,
) -> FunnelMetrics:
    """Funnel conversion rates and Kaplan–Meier median days in each stage.

    See the module docstring for definitions.  Rows may come in any order (they are
    sorted by person, then time, then input order).  Empty input gives zero counts and
    NaN rates/medians.  Raises ``ValueError`` for unknown stage names, an empty ``to``
    stage, NaT timestamps, timestamps after ``now`` or mismatched lengths.
    """
    if len(stages) < 2:
        raise ValueError("a funnel needs at least two stages")
    if lost_stage in stages:
        raise ValueError("lost_stage must not be a ladder stage")
    pid = np.asarray(person_ids).reshape(-1)
    frm = _labels(from_stages)
    to = _labels(to_stages)
    ts = np.asarray(timestamps).astype("datetime64[s]").reshape(-1)
    now_s = np.datetime64(now).astype("datetime64[s]")
    if not (pid.size == frm.size == to.size == ts.size):
        raise ValueError("person_ids, from_stages, to_stages and timestamps: lengths differ")
    if np.isnat(now_s) or np.any(np.isnat(ts)):
        raise ValueError("timestamps and now must not be NaT")
    if np.any(ts > now_s):
        raise ValueError("a timestamp lies after `now`")
    n_st = len(stages)
    rank = {s: i for i, s in enumerate(stages)}
    rank[lost_stage] = -1
    known_from = set(rank) | {""}
    if not set(frm.tolist()) <= known_from or not set(to.tolist()) <= set(rank):
        raise ValueError(f"stages must be among {(*stages, lost_stage)} (from may be empty)")
    # -2 marks "no stage" (creation); -1 is lost; 0.. are ladder rungs.
    fr = np.array([rank.get(s, -2) for s in frm.tolist()], dtype=np.int64)
    tr = np.array([rank[s] for s in to.tolist()], dtype=np.int64)

    nan_st = np.full(n_st, np.nan)
    zeros = np.zeros(n_st, dtype=np.int64)
    if pid.size == 0:
        return FunnelMetrics(
            stages=tuple(stages),
            reached=zeros,
            conversion_rate=np.full(n_st - 1, np.nan),
            overall_conversion=float("nan"),
            lost=zeros.copy(),
            in_stage_now=zeros.copy(),
            median_days_in_stage=nan_st,
            completed_spells=zeros.copy(),
            censored_spells=zeros.copy(),
        )

    person = np.unique(pid, return_inverse=True)[1].reshape(-1)
    n_people = int(person.max()) + 1
    order = np.lexsort((np.arange(pid.size), ts.astype(np.int64), person))
    person, fr, tr, ts = person[order], fr[order], tr[order], ts[order]

    # Highest rung each person was ever seen in (-1 / -2 when only lost / none).
    top = np.full(n_people, -2, dtype=np.int64)
    np.maximum.at(top, person, np.maximum(fr, tr))
    reached = np.array([(top >= k).sum() for k in range(n_st)], dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        conv = np.where(reached[:-1] > 0, reached[1:] / reached[:-1], np.nan)
    overall = float(reached[-1] / reached[0]) if reached[0] > 0 else float("nan")

    to_lost = (tr == -1) & (fr >= 0)
    lost_pairs = np.unique(person[to_lost] * n_st + fr[to_lost])
    lost = np.bincount(lost_pairs % n_st, minlength=n_st).astype(np.int64)

    last_of_person = np.r_[person[1:] != person[:-1], True]
    current = tr[last_of_person]
    in_now = np.bincount(current[current >= 0], minlength=n_st).astype(np.int64)

    # Spells: each row entering a rung ends at the same person's next row, else `now`.
    has_next = ~last_of_person
    end = np.where(has_next, np.r_[ts[1:], ts[-1:]], now_s)
    days = (end - ts) / _DAY
    med = np.full(n_st, np.nan)
    done_n = np.zeros(n_st, dtype=np.int64)
    cens_n = np.zeros(n_st, dtype=np.int64)
    for k in range(n_st):
        sel = tr == k
        med[k] = km_median(days[sel], has_next[sel])
        done_n[k] = int((sel & has_next).sum())
        cens_n[k] = int((sel & ~has_next).sum())
    return FunnelMetrics(
        stages=tuple(stages),
        reached=reached,
        conversion_rate=conv,
        overall_conversion=overall,
        lost=lost,
        in_stage_now=in_now,
        median_days_in_stage=med,
        completed_spells=done_n,
        censored_spells=cens_n,
    )
