"""The computed content of each report section, as frozen dataclasses.

:mod:`build` fills these from an order export; :mod:`render` turns them into HTML. Keeping
the numbers apart from the markup lets tests check the numbers without parsing HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from thrive.insights.orders_csv import SkippedRow

__all__ = [
    "AtRisk",
    "AtRiskCustomer",
    "ChannelRow",
    "Channels",
    "ClvSection",
    "CurrencyRow",
    "CohortSection",
    "CrossSell",
    "Kpis",
    "ModelCheck",
    "Report",
    "RfmSection",
    "Rule",
    "Segment",
    "SourceInfo",
    "Trend",
    "Unavailable",
]


@dataclass(frozen=True)
class Unavailable:
    """A section that could not be computed, and why (shown in its place)."""

    reason: str


@dataclass(frozen=True)
class SourceInfo:
    """Where the numbers come from and what was left out on the way in."""

    file_name: str
    columns: dict[str, str]
    encoding: str
    delimiter: str
    date_format: str
    rows_read: int
    rows_accepted: int
    rows_skipped: int
    skipped: tuple[SkippedRow, ...]
    skipped_by_reason: dict[str, int]
    blank_lines: int
    refund_lines: int
    fully_refunded_orders: int
    refund_only_orders: int
    notes: tuple[str, ...]
    ignored_columns: tuple[str, ...] = ()
    revenue_basis: str = ""
    repeated_totals: int = 0


@dataclass(frozen=True)
class CurrencyRow:
    """Exact figures for the orders in one currency (amounts are never converted)."""

    code: str
    orders: int
    customers: int
    revenue: float  # net of refunds
    main: bool


@dataclass(frozen=True)
class Kpis:
    """Headline numbers over the whole file."""

    revenue: float
    orders: int
    customers: int
    repeat_customers: int
    repeat_rate: float
    average_order_value: float
    growth: float | None  # a share, e.g. 0.12 for +12%
    growth_label: str  # what the growth compares, in words
    first_date: date
    last_date: date


@dataclass(frozen=True)
class Trend:
    """Monthly revenue, and a forecast with its interval when one could be made."""

    months: tuple[str, ...]  # "YYYY-MM"
    revenue: np.ndarray
    partial_last_month: bool
    forecast_months: tuple[str, ...] = ()
    forecast: np.ndarray | None = None
    forecast_low: np.ndarray | None = None
    forecast_high: np.ndarray | None = None
    forecast_level: float = 0.8
    forecast_note: str = ""
    forecast_band_label: str = ""  # what the shaded range around the forecast means
    forecast_existing: np.ndarray | None = None  # from customers already in the file
    forecast_new: np.ndarray | None = None  # from customers acquired at the recent rate
    forecast_caveat: str = ""  # e.g. a model fit that did not converge
    # The same method fitted on all but the last months, against what those months brought.
    backtest_months: tuple[str, ...] = ()
    backtest_predicted: np.ndarray | None = None
    backtest_actual: np.ndarray | None = None
    backtest_error: float | None = None  # (predicted - actual) / actual over the back-test
    backtest_monthly_error: float | None = None  # mean |predicted - actual| / actual
    backtest_note: str = ""


@dataclass(frozen=True)
class CohortSection:
    """Share of each monthly cohort still buying N months after its first order."""

    cohorts: tuple[str, ...]
    sizes: tuple[int, ...]
    periods: tuple[int, ...]
    retention: np.ndarray  # (cohorts, periods), NaN where not observable yet
    hidden_cohorts: int = 0
    through: date | None = None  # last day counted
    partial_month_left_out: bool = False


@dataclass(frozen=True)
class Segment:
    key: str
    name: str
    meaning: str
    customers: int
    revenue: float
    share_of_revenue: float


@dataclass(frozen=True)
class RfmSection:
    segments: tuple[Segment, ...]
    as_of: date


@dataclass(frozen=True)
class ClvSection:
    """Distribution of predicted customer value over the horizon."""

    edges: np.ndarray
    counts: np.ndarray
    total: float
    mean: float
    median: float
    top_decile_share: float
    horizon_months: int
    customers: int
    clipped_above: int  # customers above the last bin edge (counted in the last bin)
    model: str
    parameters: dict[str, float]
    caveat: str = ""
    spend_note: str = ""  # who the spend model left out, when anyone


@dataclass(frozen=True)
class AtRiskCustomer:
    customer_id: str
    p_alive: float
    risk: str  # churn_risk_band: "high" (< 30%) or "medium"
    predicted_value: float
    value_if_active: float
    orders: int
    spent: float
    last_order: date
    name: str = ""


@dataclass(frozen=True)
class AtRisk:
    customers: tuple[AtRiskCustomer, ...]
    threshold: float
    candidates: int  # how many repeat customers are below the threshold in total


@dataclass(frozen=True)
class Rule:
    antecedent: tuple[str, ...]
    consequent: tuple[str, ...]
    support: float
    confidence: float
    lift: float


@dataclass(frozen=True)
class CrossSell:
    rules: tuple[Rule, ...]
    baskets: int
    min_support: float
    min_confidence: float
    min_baskets: int = 0  # the support threshold as a number of baskets
    pairs_found: int = 0  # product pairs in at least min_baskets baskets
    best_lift: float | None = None  # the highest lift among those pairs' rules
    cut: str = ""  # what the work bounds left out, in words ("" when nothing)


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    customers: int
    revenue: float
    repeat_rate: float
    average_value: float | None  # predicted value per customer, when the models ran


@dataclass(frozen=True)
class Channels:
    """Customers grouped by the channel of their first order."""

    rows: tuple[ChannelRow, ...]
    horizon_months: int


@dataclass(frozen=True)
class ModelCheck:
    """BG/NBD fitted on a calibration period and compared with the holdout that followed."""

    calibration_start: date
    calibration_end: date
    holdout_end: date
    holdout_weeks: float
    frequency_labels: tuple[str, ...]
    customers_per_bin: tuple[int, ...]
    predicted: np.ndarray
    actual: np.ndarray
    weeks: np.ndarray
    cumulative_actual: np.ndarray
    cumulative_predicted: np.ndarray
    calibration_weeks: float
    holdout_error: float  # relative error of total predicted vs actual holdout purchases
    # (model, calibration log-likelihood, holdout error) for each model tried
    alternatives: tuple[tuple[str, float, float], ...] = ()
    caveat: str = ""  # names a calibration fit that did not converge


@dataclass(frozen=True)
class Report:
    title: str
    generated: str
    currency: str | None
    source: SourceInfo
    kpis: Kpis
    trend: Trend | Unavailable
    cohorts: CohortSection | Unavailable
    rfm: RfmSection | Unavailable
    clv: ClvSection | Unavailable
    at_risk: AtRisk | Unavailable
    cross_sell: CrossSell | Unavailable
    model_check: ModelCheck | Unavailable
    channels: Channels | None = None  # only when the file has a channel column
    warnings: tuple[str, ...] = field(default=())
    currencies: tuple[CurrencyRow, ...] = ()  # when the file has more than one
    currency_scope: str = ""  # which orders and customers the sections use, in words
