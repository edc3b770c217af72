"""Weighted maximum likelihood shared by the probabilistic customer-base models.

Every model in this package is fitted the same way:

1. identical customers are collapsed into one row whose weight is their count
   (``unique_rows``), so a million customers with daily-resolution dates cost as much as
   their distinct (frequency, recency, T) combinations;
2. the log-likelihood and its analytic gradient are maximised over the logarithms of the
   parameters (which keeps them positive without constraints) with scipy's L-BFGS-B,
   starting from a fixed, data-derived point; the objective is scaled per customer so the
   tolerances mean the same for 100 or 10 million customers; above 200,000 unique rows a
   deterministic systematic subsample is fitted first and Newton steps with its Hessian
   finish the job on the full data (see ``maximize_log_likelihood``);
3. on request, standard errors come from the inverse Hessian of the negative
   log-likelihood at the optimum, the Hessian being obtained by central differences of
   the analytic gradient (in log-parameters, mapped back by the delta method, exact at a
   stationary point).

AIC = 2k - 2 LL and BIC = k ln(n) - 2 LL, with n the number of customers (the sum of
the weights), as in the papers' model comparisons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

__all__ = [
    "SUBSAMPLE_ABOVE",
    "SUBSAMPLE_ROWS",
    "LogLikelihood",
    "MLEResult",
    "as_float_array",
    "information_criteria",
    "dot",
    "logaddexp",
    "maximize_log_likelihood",
    "power_of_two_scale",
    "softplus",
    "unique_rows",
    "validate_frequency_recency_T",
]

# (natural parameters) -> (total log-likelihood, its gradient in the natural parameters)
LogLikelihood = Callable[[np.ndarray], tuple[float, np.ndarray]]

# Bounds on log-parameters: wide enough for any sensible fit, narrow enough that every
# special function stays finite along the optimiser's path.
_LOG_BOUND = np.log(1e8)
# Fits with more unique rows than this start on a systematic subsample of ~50,000 rows.
SUBSAMPLE_ABOVE = 200_000
SUBSAMPLE_ROWS = 50_000
_GOLDEN = 0.6180339887498949
_PLASTIC = 0.7548776662466927


@dataclass(frozen=True)
class MLEResult:
    """Outcome of ``maximize_log_likelihood``: natural-scale estimates and diagnostics."""

    params: np.ndarray
    log_likelihood: float
    standard_errors: np.ndarray | None
    converged: bool
    n_evaluations: int
    at_bound: bool = False  # a parameter ended on the search bound (1e-8 or 1e8)


def as_float_array(values: object, name: str) -> np.ndarray:
    """A 1-d float copy of ``values``; raises ValueError on NaN or infinities."""
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite")
    return array


def validate_frequency_recency_T(
    frequency: object, recency: object, T: object, *, scratch: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the usual customer-summary invariants and return float arrays (broadcast).

    frequency is a non-negative whole number, 0 <= recency <= T, and recency is 0 when
    frequency is 0 (the first purchase is not a repeat purchase).  ``scratch``, a float
    array of the broadcast shape, spares the whole-number check a fresh array.
    """
    x, t_x, big_t = np.broadcast_arrays(
        np.asarray(frequency, dtype=float),
        np.asarray(recency, dtype=float),
        np.asarray(T, dtype=float),
    )
    # Scoring a million customers takes only a few passes over these arrays, so each check
    # here is the cheapest pass that decides it: a sum is finite when every term is (if it
    # overflows, the elementwise test decides), and the extremes give the signs.
    with np.errstate(over="ignore", invalid="ignore"):
        finite = np.isfinite(x.sum() + t_x.sum() + big_t.sum())
    if not finite and not all(np.all(np.isfinite(v)) for v in (x, t_x, big_t)):
        raise ValueError("frequency, recency and T must be finite")
    if scratch is None or scratch.shape != x.shape:
        scratch = None
    if x.size and (x.min() < 0 or not np.array_equal(x, np.floor(x, out=scratch))):
        raise ValueError("frequency must be a non-negative whole number")
    # Recency past T by rounding only (1e-12 relative) is taken as T.
    past_t = t_x > big_t
    if t_x.size and (t_x.min() < 0 or (past_t.any() and np.any(t_x > big_t * (1 + 1e-12)))):
        raise ValueError("recency must lie in [0, T]")
    if past_t.any():
        t_x = np.minimum(t_x, big_t)
    # With x >= 0 and t_x >= 0, recency must be 0 exactly when frequency is.
    zero_x = x == 0
    if not np.any(zero_x != (t_x == 0)):
        return x, t_x, big_t
    if np.any(zero_x & (t_x != 0)):
        raise ValueError("recency must be 0 for customers without repeat purchases")
    invalid = np.flatnonzero((x > 0) & (t_x == 0))
    if invalid.size:
        i = int(invalid[0])
        raise ValueError(
            f"recency must be above 0 for customers with repeat purchases: {invalid.size:,} "
            f"rows have repeat purchases at recency 0 (the first is row {i}, frequency "
            f"{x.flat[i]:g}); purchases on the first day belong to the first purchase"
        )
    return x, t_x, big_t


def power_of_two_scale(values: np.ndarray, *, typical: str = "max") -> float:
    """The power of two nearest the data's largest (or mean) value, for rescaling.

    The models fit on data divided by it, so time in milliseconds or money in cents fits
    exactly like weeks or dollars (the parameters stay well inside the search bounds and
    the optimiser takes the same path); dividing by a power of two changes no digit of
    the data. 1.0 when there is nothing positive to scale.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return 1.0
    top = float(v.max()) if typical == "max" else float(v.mean())
    return float(2.0 ** round(np.log2(top)))


def unique_rows(
    columns: Sequence[np.ndarray],
    weights: np.ndarray | None = None,
    *,
    return_inverse: bool = False,
) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray | None]:
    """Collapse identical rows of equally long 1-d ``columns`` into weighted unique rows.

    The first column must hold non-negative whole numbers (a frequency); the unique rows
    come back sorted by it, so customers without repeat purchases form a leading block.
    Returns (unique columns, summed weights, inverse index or None).

    A full lexicographic sort of a million rows costs ~0.4 s, so the rows are ordered by a
    single float key, frequency + 0.5 * frac(hash of the other columns), and merged where
    neighbours are equal.  Identical rows always share a key and so sit together; two
    different rows with the same key may interleave and stay separate, which only leaves
    the collapse slightly incomplete, never wrong.
    """
    n = columns[0].shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if n == 0:
        empty = tuple(np.asarray(c, dtype=float)[:0] for c in columns)
        return empty, w[:0], (np.zeros(0, dtype=np.intp) if return_inverse else None)
    mix = np.zeros(n)
    for j, col in enumerate(columns[1:]):
        mix += col * (_GOLDEN if j % 2 == 0 else _PLASTIC) * (j + 1)
    key = columns[0] + 0.5 * (mix - np.floor(mix))
    order = np.argsort(key)
    sorted_cols = [c[order] for c in columns]
    starts_mask = np.empty(n, dtype=bool)
    starts_mask[0] = True
    np.not_equal(sorted_cols[0][1:], sorted_cols[0][:-1], out=starts_mask[1:])
    for c in sorted_cols[1:]:
        starts_mask[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(starts_mask)
    uniq = tuple(c[starts] for c in sorted_cols)
    summed = np.add.reduceat(w[order], starts)
    inverse = None
    if return_inverse:
        inverse = np.empty(n, dtype=np.intp)
        inverse[order] = np.cumsum(starts_mask) - 1
    return uniq, summed, inverse


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product of two 1-d arrays.

    einsum's own loop rather than BLAS: multithreaded BLAS dot products cost several times
    more CPU on a busy machine, and 1-d ``@`` takes a slow generic path.
    """
    return float(np.einsum("i,i->", a, b))


def softplus(x: np.ndarray) -> np.ndarray:
    """ln(1 + e**x) without overflow (cheaper than np.logaddexp(0, x))."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def logaddexp(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ln(e**a + e**b) for finite a and b possibly -inf (cheaper than np.logaddexp)."""
    high = np.maximum(a, b)
    with np.errstate(invalid="ignore"):
        gap = np.where(np.isfinite(b), np.abs(a - b), np.inf)
    return high + np.log1p(np.exp(-gap))


def information_criteria(log_likelihood: float, n_params: int, n: float) -> tuple[float, float]:
    """(AIC, BIC) = (2k - 2 LL, k ln n - 2 LL)."""
    aic = 2.0 * n_params - 2.0 * log_likelihood
    bic = n_params * float(np.log(max(n, 1.0))) - 2.0 * log_likelihood
    return float(aic), float(bic)


def maximize_log_likelihood(
    log_likelihood: LogLikelihood,
    start: np.ndarray,
    *,
    total_weight: float,
    standard_errors: bool = False,
    subsample: tuple[LogLikelihood, float] | None = None,
) -> MLEResult:
    """Maximise ``log_likelihood`` (value and analytic gradient in natural parameters).

    ``subsample`` = (the same likelihood on a systematic subsample of the rows, its total
    weight) speeds up very large fits: L-BFGS-B finds the subsample's optimum, whose
    Hessian (per customer) approximates the full one to O(1/sqrt(subsample size)); Newton
    steps on the full data starting from that Hessian (BFGS-updated as they go) then need
    a few full-data evaluations instead of the ~20 of L-BFGS-B from scratch.  Should they
    stall, L-BFGS-B takes over from where they stopped.
    """
    start = np.asarray(start, dtype=float)
    evaluations = 0

    def objective(phi: np.ndarray, ll: LogLikelihood, scale: float) -> tuple[float, np.ndarray]:
        nonlocal evaluations
        evaluations += 1
        theta = np.exp(phi)
        value, grad = ll(theta)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            # Outside the numerically safe region: a large finite value turns the line
            # search back without poisoning L-BFGS-B's curvature pairs.
            return 1e300, np.zeros_like(phi)
        return -value / scale, -(grad * theta) / scale

    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * start.size
    phi0 = np.log(np.clip(start, np.exp(-_LOG_BOUND + 1), np.exp(_LOG_BOUND - 1)))
    options = {"maxiter": 5000, "maxfun": 10000, "ftol": 1e-14, "gtol": 1e-9, "maxcor": 20}
    polished = None
    if subsample is not None:
        sub_ll, sub_weight = subsample
        warm = minimize(
            objective, phi0, args=(sub_ll, sub_weight), jac=True, method="L-BFGS-B",
            bounds=bounds, options=options,
        )  # fmt: skip
        phi0 = warm.x

        def full(p: np.ndarray) -> tuple[float, np.ndarray]:
            return objective(p, log_likelihood, total_weight)

        hessian = _hessian(lambda p: objective(p, sub_ll, sub_weight)[1], warm.x)
        polished = _newton_polish(full, warm.x, hessian)
    success = polished is not None
    if polished is None:
        result = minimize(
            objective, phi0, args=(log_likelihood, total_weight), jac=True, method="L-BFGS-B",
            bounds=bounds, options=options,
        )  # fmt: skip
        polished, success = result.x, bool(result.success)
    phi = polished
    theta = np.exp(phi)
    value, grad = log_likelihood(theta)
    scaled_gradient = np.max(np.abs(grad * theta)) / max(total_weight, 1.0)
    at_bound = bool(np.any(np.abs(phi) >= _LOG_BOUND * (1 - 1e-9)))
    # A parameter stuck on the search bound is not an optimum: the likelihood still rises
    # beyond it (data on a scale the bounds do not suit, or a degenerate model).
    converged = bool((success or scaled_gradient < 1e-6) and not at_bound)
    errors = _standard_errors(log_likelihood, phi) if standard_errors else None
    return MLEResult(
        params=theta,
        log_likelihood=float(value),
        standard_errors=errors,
        converged=converged,
        n_evaluations=evaluations,
        at_bound=at_bound,
    )


def _hessian(gradient: Callable[[np.ndarray], np.ndarray], phi: np.ndarray) -> np.ndarray:
    """Symmetrised central-difference Jacobian of ``gradient`` at ``phi``."""
    k = phi.size
    step = 1e-4
    hessian = np.empty((k, k))
    for j in range(k):
        e = np.zeros(k)
        e[j] = step
        hessian[:, j] = (gradient(phi + e) - gradient(phi - e)) / (2 * step)
    return (hessian + hessian.T) / 2


def _newton_polish(
    objective: Callable[[np.ndarray], tuple[float, np.ndarray]],
    phi: np.ndarray,
    hessian: np.ndarray,
) -> np.ndarray | None:
    """Quasi-Newton steps from ``hessian`` with Armijo backtracking; None if they stall."""
    try:
        np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        return None
    value, grad = objective(phi)
    for _ in range(30):
        step = -np.linalg.solve(hessian, grad)
        shrink = 1.0
        for _ in range(10):
            candidate = np.clip(phi + shrink * step, -_LOG_BOUND, _LOG_BOUND)
            new_value, new_grad = objective(candidate)
            decrease = 1e-4 * shrink * float(np.dot(grad, step))
            # Rounding in a sum over millions of customers: ties count as progress.
            if new_value <= value + decrease + 1e-14 * abs(value):
                break
            shrink /= 2
        else:
            return None
        moved = float(np.max(np.abs(candidate - phi)))
        # BFGS update of the Hessian with the full data's gradient change: the subsample's
        # Hessian only starts the iteration, which then converges superlinearly.
        s_k, y_k = candidate - phi, new_grad - grad
        curvature = float(np.dot(y_k, s_k))
        hs = hessian @ s_k
        if curvature > 1e-12 * float(np.dot(s_k, hs)) and float(np.dot(s_k, hs)) > 0:
            hessian = hessian + np.outer(y_k, y_k) / curvature - np.outer(hs, hs) / np.dot(s_k, hs)
        phi, value, grad = candidate, new_value, new_grad
        if moved < 1e-9:
            return phi
    return None


def _standard_errors(log_likelihood: LogLikelihood, phi: np.ndarray) -> np.ndarray:
    """sqrt(diag(H^-1)) with H the Hessian of -LL, by central differences of the gradient.

    Differences are taken in log-parameters (a relative step) and mapped back by the delta
    method: SE(theta) = theta * SE(log theta).  Parameters whose Hessian is not positive
    definite (a boundary optimum, an unidentified direction) get NaN.
    """
    k = phi.size

    def neg_grad_phi(p: np.ndarray) -> np.ndarray:
        theta = np.exp(p)
        return -(log_likelihood(theta)[1] * theta)

    hessian = _hessian(neg_grad_phi, phi)
    theta = np.exp(phi)
    try:
        np.linalg.cholesky(hessian)
        cov = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        return np.full(k, np.nan)
    return theta * np.sqrt(np.maximum(np.diag(cov), 0.0))
