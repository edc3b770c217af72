"""Where acquisition pays: CLV, CLV:CAC, retention and payback per group of customers.

Customers are grouped by a label (their acquisition channel, or their first product).
For group ``g`` with customers ``i ∈ g``:

    customers[g]      = |g|
    mean_clv[g]       = mean of clv_i
    cac[g]            = mean of acquisition_cost_i (a customer's cost is their channel's
                        CAC, see :func:`thrive.insights.acquisition.cac_by_channel`; for
                        channel groups this *is* the channel's CAC)
    clv_cac[g]        = clv_cac_ratio(mean_clv[g], cac[g])       (NaN when CAC <= 0)
    monthly_margin[g] = mean of monthly_margin_i
    payback[g]        = payback_months(cac[g], monthly_margin[g])
    retention[g]      = Σ customers still buying k periods after acquisition
                        ÷ Σ cohort sizes, over the group's cohorts whose period k is
                        observed (the cohort matrix of :mod:`thrive.insights.cohorts`
                        split by the group label; NaN when no cohort is that old yet)
    revenue[g]        = Σ revenue_i

The functions of the insights core do the arithmetic; this module only lines them up
side by side.  Acquisition costs that are NaN (unknown) are left out of the mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .acquisition import clv_cac_ratio, payback_months
from .cohorts import CohortMatrix

__all__ = ["GroupEconomics", "group_economics", "group_retention"]


@dataclass(frozen=True, slots=True)
class GroupEconomics:
    """One row per group, sorted by label."""

    groups: np.ndarray  # str (n_groups,)
    customers: np.ndarray  # int64
    mean_clv: np.ndarray  # float64
    cac: np.ndarray  # float64, NaN where no cost is known
    clv_cac: np.ndarray  # float64, NaN where CAC <= 0 or unknown
    retention: np.ndarray  # float64, NaN where no cohort is old enough
    monthly_margin: np.ndarray  # float64
    payback_months: np.ndarray  # float64, NaN where it never pays back
    revenue: np.ndarray  # float64
    retention_offset: int  # k, the periods after acquisition retention is read at


def group_retention(matrix: CohortMatrix, offset: int) -> dict[str, float]:
    """Size-weighted retention ``offset`` periods after acquisition, per channel label of
    a cohort matrix split by channel (``channels`` set).  NaN when no cohort of that
    label has the offset observed.  Raises ``ValueError`` for a matrix without labels."""
    if matrix.channels is None:
        raise ValueError("the cohort matrix must be split by a label (channels=...)")
    out: dict[str, float] = {}
    for label in np.unique(matrix.channels):
        rows = matrix.channels == label
        if offset >= matrix.offsets.size:
            out[str(label)] = float("nan")
            continue
        seen = rows & matrix.observed[:, offset]
        sizes = matrix.cohort_sizes[seen].sum()
        out[str(label)] = (
            float(matrix.customers[seen, offset].sum() / sizes) if sizes > 0 else float("nan")
        )
    return out


def group_economics(
    labels: np.ndarray,
    clv: np.ndarray,
    acquisition_cost: np.ndarray,
    monthly_margin: np.ndarray,
    revenue: np.ndarray,
    *,
    cohorts: CohortMatrix | None = None,
    retention_offset: int = 3,
) -> GroupEconomics:
    """Unit economics per group label (one entry per customer in every array).

    ``cohorts`` is the cohort matrix split by the same labels; without it retention is
    NaN.  Raises ``ValueError`` on arrays of different lengths or a negative offset.
    """
    lab = np.asarray(labels).astype(str).reshape(-1)
    arrays = [np.asarray(a, dtype=np.float64).reshape(-1) for a in
              (clv, acquisition_cost, monthly_margin, revenue)]  # fmt: skip
    if any(a.size != lab.size for a in arrays):
        raise ValueError("labels, clv, acquisition_cost, monthly_margin, revenue: lengths differ")
    if retention_offset < 0:
        raise ValueError("retention_offset must be non-negative")
    value, cost, margin, rev = arrays
    groups, inverse = np.unique(lab, return_inverse=True)
    inverse = inverse.reshape(-1)
    g = groups.size
    customers = np.bincount(inverse, minlength=g).astype(np.int64)

    def mean(x: np.ndarray) -> np.ndarray:
        ok = np.isfinite(x)
        total = np.bincount(inverse[ok], weights=x[ok], minlength=g)
        count = np.bincount(inverse[ok], minlength=g)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    mean_clv, cac, mean_margin = mean(value), mean(cost), mean(margin)
    retention = np.full(g, np.nan)
    if cohorts is not None:
        by_label = group_retention(cohorts, retention_offset)
        retention = np.array([by_label.get(str(x), np.nan) for x in groups], dtype=np.float64)
    ratio = np.asarray(clv_cac_ratio(mean_clv, cac), dtype=np.float64).reshape(-1)
    payback = np.full(g, np.nan)
    known = np.isfinite(cac)
    if known.any():
        payback[known] = np.asarray(
            payback_months(cac[known], mean_margin[known]), dtype=np.float64
        ).reshape(-1)
    return GroupEconomics(
        groups=groups,
        customers=customers,
        mean_clv=mean_clv,
        cac=cac,
        clv_cac=ratio if g else np.array([], dtype=np.float64),
        retention=retention,
        monthly_margin=mean_margin,
        payback_months=payback,
        revenue=np.bincount(inverse, weights=np.nan_to_num(rev), minlength=g),
        retention_offset=retention_offset,
    )
