"""The benchmarks' data, generated once per run from fixed seeds and saved as .npz files.

Both sides of every benchmark load the same file, so they see the very same numbers.

* ``customer_base``: a synthetic customer summary drawn from BG/NBD (or MBG/NBD) with the
  Fader, Hardie & Lee (2005) CDNOW estimates, customers acquired uniformly over two years
  and observed at daily resolution (T and recency in whole days, expressed in weeks), as a
  summary computed from real order dates would be; spend from the Gamma-Gamma model with
  the Fader & Hardie (2013) CDNOW estimates, in cents.
* ``cdnow``: the CDNOW master cohort (23,570 customers) or its 1/10 sample, summarised in
  weeks over the papers' 39-week calibration period (to 1997-09-30).
* ``baskets``: ``basket_data.synthetic_orders``; ``dense_baskets``: ``basket_data.dense_orders``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from thrive.insights import (
    simulate_bgnbd,
    simulate_gamma_gamma,
    simulate_mbgnbd,
    summarize_transactions,
)

# Fader, Hardie & Lee (2005), CDNOW: r, alpha, a, b (weeks).
BGNBD_TRUTH = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
# MBG/NBD (Batislam, Denizel & Filiztekin 2007) estimates on the CDNOW sample, weeks.
MBGNBD_TRUTH = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
# Fader & Hardie (2013), CDNOW: p, q, gamma.
GAMMA_GAMMA_TRUTH = {"p": 6.25, "q": 3.74, "gamma": 15.44}
ACQUISITION_DAYS = 730
CDNOW_DIR = Path(__file__).resolve().parents[1] / "thrive" / "insights" / "tests" / "data" / "cdnow"
CDNOW_CALIBRATION_END = "1997-09-30"


def customer_base(n: int, *, modified: bool = False, seed: int = 20240601) -> dict[str, np.ndarray]:
    """frequency x, recency tx, age T (weeks, whole days), mean repeat spend m, first spend."""
    rng = np.random.default_rng(seed)
    t_days = rng.integers(1, ACQUISITION_DAYS + 1, n)
    simulate = simulate_mbgnbd if modified else simulate_bgnbd
    truth = MBGNBD_TRUTH if modified else BGNBD_TRUTH
    x, tx, _ = simulate(*truth.values(), T=t_days / 7.0, size=n, seed=seed + 1)
    # A repeat purchase falls on a later day than the first one (same-day purchases merge),
    # so recency is at least one day and at most T, in whole days.
    tx_days = np.where(x > 0, np.clip(np.ceil(tx * 7.0), 1, t_days), 0)
    m = simulate_gamma_gamma(*GAMMA_GAMMA_TRUTH.values(), frequency=x, seed=seed + 2)
    m = np.where(x > 0, np.maximum(np.round(m, 2), 0.01), 0.0)
    # The first purchase's value (for RFM's revenue): one Gamma-Gamma transaction.
    first = simulate_gamma_gamma(*GAMMA_GAMMA_TRUTH.values(), frequency=np.ones(n), seed=seed + 3)
    first = np.maximum(np.round(first, 2), 0.01)
    return {"x": x, "tx": tx_days / 7.0, "T": t_days / 7.0, "m": m, "first": first}


def _yyyymmdd(values: np.ndarray) -> np.ndarray:
    v = values.astype(np.int64)
    months = (v // 10000 - 1970) * 12 + (v // 100 % 100 - 1)
    return months.astype("datetime64[M]").astype("datetime64[D]") + (v % 100 - 1)


def cdnow(*, sample: bool = False) -> dict[str, np.ndarray]:
    """The CDNOW cohort summarised to the end of the 39-week calibration period."""
    if sample:
        raw = np.loadtxt(CDNOW_DIR / "CDNOW_sample.txt")
        ids, dates, amounts = raw[:, 1], raw[:, 2], raw[:, 4]
    else:
        raw = np.loadtxt(CDNOW_DIR / "CDNOW_master.txt", skiprows=1)
        ids, dates, amounts = raw[:, 0], raw[:, 1], raw[:, 3]
    s = summarize_transactions(
        ids.astype(np.int64), _yyyymmdd(dates), amounts, observation_end=CDNOW_CALIBRATION_END
    )
    return {"x": s.frequency, "tx": s.recency, "T": s.T, "m": s.monetary_value}


def baskets(n_orders: int, n_products: int) -> dict[str, np.ndarray]:
    from basket_data import synthetic_orders

    o, p = synthetic_orders(n_orders, n_products)
    return {"orders": o, "products": p, "shape": np.array([n_orders, n_products])}


def dense_baskets(n_orders: int, n_products: int) -> dict[str, np.ndarray]:
    from basket_data import dense_orders

    o, p = dense_orders(n_orders, n_products)
    return {"orders": o, "products": p, "shape": np.array([n_orders, n_products])}


def save(path: Path, data: dict[str, np.ndarray]) -> Path:
    np.savez(path, **data)  # type: ignore[arg-type]  # numpy's stub
    return path


def load(path: str | Path) -> dict[str, np.ndarray]:
    with np.load(path) as f:
        return {k: f[k] for k in f.files}
