"""Which transaction model does a business's own data support?

Both models are fitted on the purchases up to a cut and predict each customer's purchases
after it; customers are grouped by their repeat purchases before the cut (0, 1, ..., 7+)
as in Fader, Hardie & Lee (2005, Figure 4). A model's error is the customer-weighted mean
of |predicted mean − actual mean| over the groups:

    error = Σ_g (n_g / n) · |ŷ_g − y_g|

The model with the smaller error is supported; errors within ``equal`` (5%) of the larger
count as a tie, and the simpler model (the first named) is kept.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EQUAL_FIT", "choose_model", "grouped_error"]

EQUAL_FIT = 0.05


def grouped_error(n: object, predicted_mean: object, actual_mean: object) -> float:
    """Σ_g (n_g / n) · |predicted_g − actual_g| over groups with customers; NaN if none."""
    counts = np.asarray(n, dtype=np.float64)
    pred = np.asarray(predicted_mean, dtype=np.float64)
    act = np.asarray(actual_mean, dtype=np.float64)
    if not counts.shape == pred.shape == act.shape:
        raise ValueError("n, predicted_mean and actual_mean must align")
    filled = counts > 0
    if not np.any(filled):
        return float("nan")
    weights = counts[filled] / counts[filled].sum()
    return float(np.sum(weights * np.abs(pred[filled] - act[filled])))


def choose_model(errors: dict[str, float], *, equal: float = EQUAL_FIT) -> str:
    """The name of the supported model, or "both" for a tie; "" when an error is missing.

    ``errors`` lists the simpler model first (it is the one kept on a tie)."""
    values = list(errors.values())
    if len(values) != 2 or not all(np.isfinite(values)):
        return ""
    (first, a), (second, b) = errors.items()
    if abs(a - b) <= equal * max(a, b):
        return "both"
    return first if a < b else second
