"""Tests for thrive.insights.funnel."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.insights.funnel import FUNNEL_STAGES, funnel_metrics, km_median

T0 = np.datetime64("2024-01-01T00:00:00")
NOW = T0 + np.timedelta64(100, "D")


def day(n: float) -> np.datetime64:
    return T0 + np.timedelta64(int(n * 86400), "s")


def history() -> tuple[list, list, list, list]:
    # p1: created suspect d0, prospect d10, client d30, advocate d40
    # p2: created suspect d0, prospect d5, lost d25 (from prospect)
    # p3: created suspect d20, still a suspect at NOW (censored, 80 days)
    # p4: created prospect d50 (skipped suspect), client d60, still client
    # p5: suspect d0, lost d2 (from suspect)
    rows = [
        ("p1", None, "suspect", 0),
        ("p1", "suspect", "prospect", 10),
        ("p1", "prospect", "client", 30),
        ("p1", "client", "advocate", 40),
        ("p2", "", "suspect", 0),
        ("p2", "suspect", "prospect", 5),
        ("p2", "prospect", "lost", 25),
        ("p3", None, "suspect", 20),
        ("p4", None, "prospect", 50),
        ("p4", "prospect", "client", 60),
        ("p5", None, "suspect", 0),
        ("p5", "suspect", "lost", 2),
    ]
    rows = rows[::-1]  # order must not matter
    return (
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [day(r[3]) for r in rows],
    )


def test_hand_computed_funnel() -> None:
    f = funnel_metrics(*history(), now=NOW)
    assert f.stages == FUNNEL_STAGES
    # reached (cumulative): suspect all 5; prospect p1,p2,p4; client p1,p4; advocate p1
    assert f.reached.tolist() == [5, 3, 2, 1]
    np.testing.assert_allclose(f.conversion_rate, [3 / 5, 2 / 3, 1 / 2])
    assert f.overall_conversion == pytest.approx(1 / 5)
    assert f.lost.tolist() == [1, 1, 0, 0]  # p5 from suspect, p2 from prospect
    assert f.in_stage_now.tolist() == [1, 0, 1, 1]  # p3 suspect, p4 client, p1 advocate
    # suspect spells: p1 10 done, p2 5 done, p3 80 censored, p5 2 done.
    # KM: t=2 n=4 -> S=3/4; t=5 n=3 -> S=1/2 <= 0.5 -> median 5.
    assert f.median_days_in_stage[0] == 5
    assert f.completed_spells[0] == 3 and f.censored_spells[0] == 1
    # prospect spells: p1 20, p2 20 (to lost), p4 10 -> all done -> median 20
    assert f.median_days_in_stage[1] == 20
    # client spells: p1 10 done, p4 40 censored -> S(10) = 1/2 -> median 10
    assert f.median_days_in_stage[2] == 10
    # advocate: one censored spell -> Kaplan–Meier median undefined
    assert np.isnan(f.median_days_in_stage[3])


def test_km_median_conventions() -> None:
    # no censoring: S(1)=2/3, S(2)=1/3 -> the smallest t with S <= 1/2 is 2
    assert km_median(np.array([1.0, 2, 3]), np.array([True, True, True])) == 2
    # S exactly 1/2 at t=5 -> 5 (smallest t with S <= 1/2, not a midpoint)
    assert km_median(np.array([5.0, 6]), np.array([True, True])) == 5
    # a spell censored at 1 leaves the risk set: t=2 n=3 S=2/3; t=3 n=2 S=1/3 -> 3
    assert km_median(np.array([1.0, 2, 3, 4]), np.array([False, True, True, True])) == 3
    # censored spells still count as at risk: t=2 n=4 S=3/4; t=4 n=2 S=3/8 -> 4, whereas
    # the median of completed spells only [2, 4] would be 3
    assert km_median(np.array([2.0, 3, 4, 9]), np.array([True, False, True, False])) == 4
    # more than half still running -> undefined
    assert np.isnan(km_median(np.array([5.0, 6, 7]), np.array([True, False, False])))
    assert np.isnan(km_median(np.array([]), np.array([], dtype=bool)))
    with pytest.raises(ValueError):
        km_median(np.array([1.0]), np.array([True, False]))


def test_custom_stages_and_empty() -> None:
    f = funnel_metrics([], [], [], np.array([], dtype="datetime64[s]"), now=NOW)
    assert f.reached.tolist() == [0, 0, 0, 0]
    assert np.isnan(f.conversion_rate).all() and np.isnan(f.overall_conversion)
    g = funnel_metrics(
        ["a", "a"],
        [None, "lead"],
        ["lead", "won"],
        [day(0), day(3)],
        stages=("lead", "won"),
        now=NOW,
    )
    assert g.reached.tolist() == [1, 1]
    assert g.median_days_in_stage[0] == 3


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="stages"):
        funnel_metrics(["a"], [None], ["customer"], [day(0)], now=NOW)
    with pytest.raises(ValueError, match="after"):
        funnel_metrics(["a"], [None], ["suspect"], [NOW + np.timedelta64(1, "D")], now=NOW)
    with pytest.raises(ValueError, match="lengths"):
        funnel_metrics(["a", "b"], [None], ["suspect"], [day(0)], now=NOW)
    with pytest.raises(ValueError, match="NaT"):
        funnel_metrics(["a"], [None], ["suspect"], [np.datetime64("NaT", "s")], now=NOW)


@settings(max_examples=60, deadline=None)
@given(
    events=st.lists(
        st.tuples(st.integers(0, 6), st.integers(-1, 3), st.integers(0, 99)),
        max_size=40,
    )
)
def test_random_histories_are_consistent(events: list) -> None:
    stages = (*FUNNEL_STAGES, "lost")
    pid = [e[0] for e in events]
    to = [stages[e[1]] for e in events]  # -1 -> lost
    frm = [None] * len(events)
    ts = [day(e[2]) for e in events]
    f = funnel_metrics(pid, frm, to, np.array(ts, dtype="datetime64[s]"), now=NOW)
    assert np.all(np.diff(f.reached) <= 0)
    ok = ~np.isnan(f.conversion_rate)
    assert np.all((f.conversion_rate[ok] >= 0) & (f.conversion_rate[ok] <= 1))
    med = f.median_days_in_stage[~np.isnan(f.median_days_in_stage)]
    assert np.all((med >= 0) & (med <= 100))
    assert f.in_stage_now.sum() <= len(set(pid))
