"""The customer-base forecast on a simulated business whose future is known.

The business is simulated from the BG/NBD process itself (numpy, fixed seed): 150 new
customers a month for 18 months, then acquisition stops. Each customer has a purchase
rate lambda ~ Gamma(0.8, rate 6 per week) and a drop-out chance p ~ Beta(1, 4) after
every purchase; each purchase is worth Gamma(6, rate nu) with nu ~ Gamma(4, rate 15)
(mean 30). The file holds the first 24 months; the truth is the revenue of the 6 months
after it, simulated with the same customers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from thrive.insights.base_forecast import (
    backtest_customer_base,
    forecast_customer_base,
    monthly_purchase_revenue,
)
from thrive.insights.forecast import forecast_revenue
from thrive.insights.orders_csv import read_order_rows
from thrive.insights.report.build import build_report
from thrive.insights.report.render import render_html
from thrive.insights.report.sections import Trend

START = np.datetime64("2022-01", "M")
FILE_END = np.datetime64("2023-12-31")
# The forecast's six-month total must land within 15% of the simulated truth.
TOLERANCE = 0.15


def simulate_business(
    seed: int = 11, per_month: int = 150, acquisition_months: int = 18, months: int = 30
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    end = (START + np.timedelta64(months, "M")).astype("datetime64[D]")
    ids: list[str] = []
    days: list[np.datetime64] = []
    amounts: list[float] = []
    customer = 0
    for month in range(acquisition_months):
        first = (START + np.timedelta64(month, "M")).astype("datetime64[D]")
        after = (START + np.timedelta64(month + 1, "M")).astype("datetime64[D]")
        length = int((after - first).astype(np.int64))
        for _ in range(per_month):
            rate = rng.gamma(0.8, 1 / 6.0)  # purchases per week while active
            drop = rng.beta(1.0, 4.0)
            nu = rng.gamma(4.0, 1 / 15.0)
            t = float(rng.integers(0, length))  # days after the first of the month
            while (day := first + np.timedelta64(int(t), "D")) < end:
                ids.append(f"c{customer}")
                days.append(day)
                amounts.append(round(float(rng.gamma(6.0, 1 / nu)), 2))
                if rng.random() < drop:
                    break
                t += rng.exponential(1 / rate) * 7.0
            customer += 1
    return (
        np.array(ids, dtype=object),
        np.array(days, dtype="datetime64[D]"),
        np.array(amounts, dtype=np.float64),
    )


@pytest.fixture(scope="module")
def business() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return simulate_business()


def test_forecast_after_acquisition_stops_is_close_to_the_truth_and_a_trend_line_is_not(
    business: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    ids, days, amounts = business
    seen = days <= FILE_END
    fc = forecast_customer_base(ids[seen], days[seen], amounts[seen], as_of=FILE_END)
    assert [str(m) for m in fc.months] == [f"2024-0{i}" for i in range(1, 7)]
    assert fc.acquisition_per_month == 0.0  # nobody new in the last three months
    assert float(fc.new.sum()) == 0.0
    truth = monthly_purchase_revenue(days, amounts, fc.months)
    assert float(fc.total.sum()) == pytest.approx(float(truth.sum()), rel=TOLERANCE)
    # Month by month too, within twice the tolerance (single months are noisier).
    np.testing.assert_allclose(fc.total, truth, rtol=2 * TOLERANCE)
    # The trend line through the 24 months of revenue is far off: it extrapolates the
    # growth that acquisition brought.
    history = np.arange(START, START + np.timedelta64(24, "M"))
    trend = forecast_revenue(
        monthly_purchase_revenue(days[seen], amounts[seen], history), history, horizon=6
    )
    assert float(trend.forecast.sum()) > 1.5 * float(truth.sum())


def test_backtest_compares_the_forecast_with_the_months_it_left_out(
    business: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    ids, days, amounts = business
    seen = days <= FILE_END
    bt = backtest_customer_base(
        ids[seen],
        days[seen],
        amounts[seen],
        last_full_month=np.datetime64("2023-12"),
        holdout_months=6,
    )
    assert [str(m) for m in bt.months] == [f"2023-{m:02d}" for m in range(7, 13)]
    assert bt.forecast.as_of == np.datetime64("2023-06-30")
    np.testing.assert_allclose(
        bt.actual, monthly_purchase_revenue(days, amounts, bt.months), rtol=1e-12
    )
    # Fitted in June 2023, when 150 customers a month were still arriving, the method
    # expects them to keep coming: the back-test shows it over-forecasting.
    assert bt.forecast.acquisition_per_month == pytest.approx(150.0)
    assert bt.total_error > 0.3


def test_report_forecast_comes_from_the_customer_base_and_shows_its_backtest(
    business: tuple[np.ndarray, np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    ids, days, amounts = business
    seen = days <= FILE_END
    path = tmp_path / "sim.csv"
    lines = ["customer,date,amount"] + [
        f"{c},{d},{a:.2f}" for c, d, a in zip(ids[seen], days[seen], amounts[seen], strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = build_report(read_order_rows(path), file_name="sim.csv")
    trend = report.trend
    assert isinstance(trend, Trend)
    assert trend.forecast is not None and trend.forecast_new is not None
    direct = forecast_customer_base(ids[seen], days[seen], amounts[seen], as_of=FILE_END)
    np.testing.assert_allclose(trend.forecast, direct.total, rtol=1e-9)
    assert "not a trend line" in trend.forecast_note
    assert "least squares" not in trend.forecast_note
    # 24 full months: the back-test leaves out the last 6 (a third, at most six).
    assert trend.backtest_months == tuple(f"2023-{m:02d}" for m in range(7, 13))
    assert trend.backtest_error is not None
    html = render_html(report)
    assert "Back-test:" in html and 'id="chart-backtest"' in html
