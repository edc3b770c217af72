"""Customer acquisition cost (CAC) by channel and month, CLV:CAC and CAC payback.

Formulas (standard unit economics, e.g. D. Skok, "SaaS Metrics 2.0"):

    CAC[channel, month]   = spend[channel, month] / new_customers[channel, month]
    channel_cac[channel]  = Σ_months spend / Σ_months new customers       (whole period)
    blended_cac[month]    = Σ_channels spend / Σ_channels new customers   (incl. organic)
    total_blended_cac     = total spend / total new customers
    CLV:CAC               = CLV / CAC
    payback months        = CAC / (monthly margin per customer)
                          = CAC / (ARPU × gross margin %)

Division by zero is never an error and never produces ``inf``: a CAC with no new
customers (with or without spend) is NaN, a CLV:CAC with CAC <= 0 is NaN, a payback with
non-positive monthly margin is NaN (it never pays back).  NaN means "undefined here";
check ``new_customers``/``spend`` to see why.  Channels that only appear in spend or only
in new customers get zeros for the missing side, so organic channels (no spend) have
CAC 0 and lower the blended CAC — which is the point of *blended* CAC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CACTable", "cac_by_channel", "clv_cac_ratio", "payback_months"]


@dataclass(frozen=True, slots=True)
class CACTable:
    """Spend, new customers and CAC on a channels × months grid."""

    channels: np.ndarray  # str (n_channels,), sorted
    months: np.ndarray  # datetime64[M] (n_months,), sorted union of the input months
    spend: np.ndarray  # float64 (n_channels, n_months)
    new_customers: np.ndarray  # float64 (n_channels, n_months) (float: counts may be weighted)
    cac: np.ndarray  # float64 (n_channels, n_months); NaN where new_customers == 0
    channel_cac: np.ndarray  # float64 (n_channels,); NaN where no new customers at all
    blended_cac: np.ndarray  # float64 (n_months,); NaN where no new customers that month
    total_blended_cac: float  # NaN if no new customers at all


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    # overflow (a vanishing denominator) is reported like a zero one: undefined
    return np.where(np.isfinite(out), out, np.nan)


def cac_by_channel(
    spend_channels: np.ndarray,
    spend_months: np.ndarray,
    spend_amounts: np.ndarray,
    new_customer_channels: np.ndarray,
    new_customer_months: np.ndarray,
    *,
    new_customer_counts: np.ndarray | None = None,
) -> CACTable:
    """CAC per channel and month, per channel, and blended.

    Spend rows (channel, month, amount >= 0) and new-customer rows (channel, month of
    acquisition) are summed onto a channels × months grid; months are anything
    convertible to datetime64[M].  ``new_customer_counts`` lets SQL pass one row per
    (channel, month) with a count instead of one row per customer.  Empty input gives an
    empty table.  Raises ``ValueError`` on mismatched lengths, negative or non-finite
    spend or counts.
    """
    sc = np.asarray(spend_channels).astype(str).reshape(-1)
    sm = np.asarray(spend_months).astype("datetime64[M]").reshape(-1)
    sa = np.asarray(spend_amounts, dtype=np.float64).reshape(-1)
    nc = np.asarray(new_customer_channels).astype(str).reshape(-1)
    nm = np.asarray(new_customer_months).astype("datetime64[M]").reshape(-1)
    if not (sc.size == sm.size == sa.size):
        raise ValueError("spend_channels, spend_months and spend_amounts: lengths differ")
    if nc.size != nm.size:
        raise ValueError("new_customer_channels and new_customer_months: lengths differ")
    counts = (
        np.ones(nc.size, dtype=np.float64)
        if new_customer_counts is None
        else np.asarray(new_customer_counts, dtype=np.float64).reshape(-1)
    )
    if counts.size != nc.size:
        raise ValueError("new_customer_counts must have one count per row")
    if not np.all(np.isfinite(sa)) or np.any(sa < 0):
        raise ValueError("spend_amounts must be finite and non-negative")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError("new_customer_counts must be finite and non-negative")
    if np.any(np.isnat(sm)) or np.any(np.isnat(nm)):
        raise ValueError("months must not contain NaT")

    channels = np.unique(np.concatenate([sc, nc]))
    months = np.unique(np.concatenate([sm, nm]))
    shape = (channels.size, months.size)
    spend = np.zeros(shape)
    new = np.zeros(shape)
    np.add.at(spend, (np.searchsorted(channels, sc), np.searchsorted(months, sm)), sa)
    np.add.at(new, (np.searchsorted(channels, nc), np.searchsorted(months, nm)), counts)
    total_new = new.sum()
    return CACTable(
        channels=channels,
        months=months,
        spend=spend,
        new_customers=new,
        cac=_ratio(spend, new),
        channel_cac=_ratio(spend.sum(axis=1), new.sum(axis=1)),
        blended_cac=_ratio(spend.sum(axis=0), new.sum(axis=0)),
        total_blended_cac=float(spend.sum() / total_new) if total_new > 0 else float("nan"),
    )


def clv_cac_ratio(clv: float | np.ndarray, cac: float | np.ndarray) -> float | np.ndarray:
    """CLV ÷ CAC (a common health bar is >= 3).  NaN where CAC <= 0 or either is NaN.

    Scalars in, float out; arrays broadcast and return an array.
    """
    c = np.asarray(clv, dtype=np.float64)
    k = np.asarray(cac, dtype=np.float64)
    out = _ratio(c, k)
    return float(out) if out.ndim == 0 else out


def payback_months(
    cac: float | np.ndarray, monthly_margin_per_customer: float | np.ndarray
) -> float | np.ndarray:
    """Months of gross margin needed to earn back CAC: CAC ÷ monthly margin per customer.

    NaN where the margin is <= 0 (never pays back) or inputs are NaN; 0 when CAC is 0.
    Raises ``ValueError`` for negative CAC.  Scalars in, float out.
    """
    k = np.asarray(cac, dtype=np.float64)
    m = np.asarray(monthly_margin_per_customer, dtype=np.float64)
    if np.any(k < 0):
        raise ValueError("cac must be non-negative")
    out = _ratio(k, m)
    return float(out) if out.ndim == 0 else out
