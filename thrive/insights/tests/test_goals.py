"""Goal projections checked against hand computation."""

from __future__ import annotations

import math

import pytest

from thrive.insights.goals import project_goal


def test_projection_of_maya_repeat_rate_goal_by_hand():
    # Baseline 28% on day 0, check-ins 29% (day 30) and 31% (day 60); 35% by day 180.
    # x̄ = 30, ȳ = 0.293333, Sxx = 1800, Sxy = 0.9 → slope 0.0005 a day, intercept 0.278333.
    # Deadline value 0.278333 + 0.0005·180 = 0.368333.
    # Residuals 0.0016667, −0.0033333, 0.0016667 → s = √(1.66667e−5 / 1) = 0.00408248.
    # Scale s·√(1 + 1/3 + 150²/1800) = 0.00408248·3.719319 = 0.0151840.
    # t(1 df, 0.90) = tan(0.4π) = 3.0776835 → interval 0.368333 ± 0.046731.
    # P(reach 35%) = Cauchy cdf((0.368333 − 0.35)/0.015184) = 0.5 + atan(1.207412)/π.
    p = project_goal([30, 60], [0.29, 0.31], baseline=0.28, target=0.35, deadline_day=180,
                     today_day=60, level=0.8)  # fmt: skip
    assert p.slope == pytest.approx(0.0005)
    assert p.intercept == pytest.approx(0.2783333333)
    assert p.projected == pytest.approx(0.3683333333)
    scale = math.sqrt(1.66666667e-5) * math.sqrt(1 + 1 / 3 + 150**2 / 1800)
    assert p.low == pytest.approx(0.3683333333 - math.tan(0.4 * math.pi) * scale, rel=1e-6)
    assert p.high == pytest.approx(0.3683333333 + 0.0467313, rel=1e-5)
    assert p.probability == pytest.approx(0.5 + math.atan(0.0183333333 / scale) / math.pi, rel=1e-6)
    assert p.probability == pytest.approx(0.77988, abs=1e-4)
    assert p.status == "on_track"
    assert p.progress == pytest.approx(3 / 7)
    assert p.time_elapsed == pytest.approx(1 / 3)


def test_two_points_project_a_straight_line_without_an_interval():
    p = project_goal([60], [0.29], baseline=0.28, target=0.35, deadline_day=180, today_day=60)
    assert p.projected == pytest.approx(0.28 + 0.01 / 60 * 180)  # 0.31: short of 35%
    assert math.isnan(p.low) and math.isnan(p.probability)
    assert p.status == "off_track"


def test_a_falling_target_is_on_track_when_the_line_falls_fast_enough():
    # Response time from 10 h to 4 h in 100 days; 9, 7.5, 6 at days 20, 40, 60.
    p = project_goal([20, 40, 60], [9, 7.5, 6], baseline=10, target=4, deadline_day=100,
                     today_day=60)  # fmt: skip
    assert p.slope == pytest.approx(-0.0675)
    assert p.projected < 4 and p.probability > 0.7 and p.status == "on_track"


def test_reaching_the_target_is_achieved_and_passing_the_deadline_is_missed():
    done = project_goal([10, 20], [0.30, 0.36], baseline=0.28, target=0.35, deadline_day=100,
                        today_day=20)  # fmt: skip
    assert done.status == "achieved" and done.progress > 1
    late = project_goal([50, 100], [0.29, 0.30], baseline=0.28, target=0.35, deadline_day=100,
                        today_day=101)  # fmt: skip
    assert late.status == "missed"


def test_no_check_in_waits_and_a_flat_trend_is_off_track():
    assert (
        project_goal([], [], baseline=1, target=2, deadline_day=10, today_day=1).status == "no_data"
    )
    flat = project_goal([10, 20, 30], [1.0, 1.01, 0.99], baseline=1, target=2, deadline_day=90,
                        today_day=30)  # fmt: skip
    assert flat.status == "off_track" and flat.probability < 0.3


def test_interval_at_the_deadline_equals_the_projection_bounds():
    p = project_goal([30, 60, 90], [0.29, 0.31, 0.30], baseline=0.28, target=0.35,
                     deadline_day=180, today_day=90)  # fmt: skip
    fit, low, high = p.interval_at(180)
    assert (fit, low, high) == pytest.approx((p.projected, p.low, p.high))


def test_bad_goals_are_refused():
    with pytest.raises(ValueError, match="target"):
        project_goal([], [], baseline=1, target=1, deadline_day=10, today_day=0)
    with pytest.raises(ValueError, match="before"):
        project_goal([-1], [1], baseline=1, target=2, deadline_day=10, today_day=0)
