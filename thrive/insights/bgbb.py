"""The BG/BB model of discrete-time, non-contractual repeat transactions.

Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual
setting", Marketing Science 29(6).  At each of n transaction opportunities an active
customer transacts with probability p ~ Beta(alpha, beta); before each opportunity she
becomes inactive for good with probability theta ~ Beta(gamma, delta).  With x
transactions, the last at opportunity t_x (0 if x = 0), the likelihood is (eq. 5)

    L = B(alpha+x, beta+n-x)/B(alpha, beta) * B(gamma, delta+n)/B(gamma, delta)
        + sum_{i=0}^{n-t_x-1} B(alpha+x, beta+t_x-x+i)/B(alpha, beta)
                              * B(gamma+1, delta+t_x+i)/B(gamma, delta),

evaluated as a log-sum-exp of Beta-function logarithms, with the analytic gradient as the
softmax-weighted digamma differences.  Then (eqs. 11 and 13)

    P(alive at n+1 | x, t_x, n) = B(alpha+x, beta+n-x)/B(alpha, beta)
                                  * B(gamma, delta+n+1)/B(gamma, delta) / L,
    E[X(n, n+t) | x, t_x, n]    = B(alpha+x+1, beta+n-x)/B(alpha, beta) / L
                                  * sum_{j=1}^{t} B(gamma, delta+n+j)/B(gamma, delta),
    E[X(t)] for a new customer  = alpha/(alpha+beta)
                                  * sum_{j=1}^{t} B(gamma, delta+j)/B(gamma, delta).

The sums over j are the papers' Gamma-function ratios before telescoping; summing them
term by term (for integer t) avoids the closed form's 1/(gamma - 1), which is 0/0 at
gamma = 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from .fitting import (
    LogLikelihood,
    as_float_array,
    dot,
    information_criteria,
    maximize_log_likelihood,
    unique_rows,
)

__all__ = ["BGBBFit", "fit_bgbb"]

_PARAM_NAMES = ("alpha", "beta", "gamma", "delta")
_CHUNK_CELLS = 2_000_000


def _validate(
    frequency: object, recency: object, n_periods: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, t_x, n = np.broadcast_arrays(
        np.asarray(frequency, dtype=float),
        np.asarray(recency, dtype=float),
        np.asarray(n_periods, dtype=float),
    )
    for name, v in (("frequency", x), ("recency", t_x), ("n_periods", n)):
        if not np.all(np.isfinite(v)) or np.any(v < 0) or np.any(v != np.floor(v)):
            raise ValueError(f"{name} must be a non-negative whole number")
    if np.any(x > t_x) or np.any(t_x > n):
        raise ValueError("BG/BB needs frequency <= recency <= n_periods")
    if np.any((x == 0) != (t_x == 0)):
        raise ValueError("recency is 0 exactly when frequency is 0")
    return x, t_x, n


def _row_terms(x: np.ndarray, t_x: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the death opportunities i = 0..n-t_x-1 as a padded matrix and its mask."""
    width = int((n - t_x).max(initial=0))
    i = np.arange(max(width, 1), dtype=float)[None, :]
    return i, i < (n - t_x)[:, None]


def _log_terms(
    x: np.ndarray, t_x: np.ndarray, n: np.ndarray, al: float, be: float, ga: float, de: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ln of the likelihood's terms (alive term, death terms) without the normalisers."""
    i, mask = _row_terms(x, t_x, n)
    alive = special.betaln(al + x, be + n - x) + special.betaln(ga, de + n)
    tt = t_x[:, None] + i
    dead = special.betaln(al + x[:, None], be + tt - x[:, None]) + special.betaln(ga + 1.0, de + tt)
    return alive, np.where(mask, dead, -np.inf), tt


def _log_likelihood(x: np.ndarray, t_x: np.ndarray, n: np.ndarray, w: np.ndarray) -> LogLikelihood:
    total = float(w.sum())
    dig = special.digamma

    def evaluate(theta: np.ndarray) -> tuple[float, np.ndarray]:
        al, be, ga, de = (float(v) for v in theta)
        value = -total * (special.betaln(al, be) + special.betaln(ga, de))
        grad = -total * np.array(
            [
                dig(al) - dig(al + be),
                dig(be) - dig(al + be),
                dig(ga) - dig(ga + de),
                dig(de) - dig(ga + de),
            ]
        )
        step = max(1, _CHUNK_CELLS // max(1, int((n - t_x).max(initial=1))))
        for lo in range(0, x.size, step):
            sl = slice(lo, lo + step)
            xs, ts, ns, ws = x[sl], t_x[sl], n[sl], w[sl]
            alive, dead, tt = _log_terms(xs, ts, ns, al, be, ga, de)
            log_l = np.logaddexp(alive, special.logsumexp(dead, axis=1))
            value += dot(ws, log_l)
            pa = ws * np.exp(alive - log_l)
            with np.errstate(invalid="ignore"):
                pd = ws[:, None] * np.exp(dead - log_l[:, None])
            pd = np.where(np.isfinite(dead), pd, 0.0)
            xc = xs[:, None]
            grad[0] += dot(pa, dig(al + xs) - dig(al + be + ns))
            grad[0] += np.sum(pd * (dig(al + xc) - dig(al + be + tt)))
            grad[1] += dot(pa, dig(be + ns - xs) - dig(al + be + ns))
            grad[1] += np.sum(pd * (dig(be + tt - xc) - dig(al + be + tt)))
            grad[2] += dot(pa, dig(ga) - dig(ga + de + ns))
            grad[2] += np.sum(pd * (dig(ga + 1.0) - dig(ga + de + tt + 1.0)))
            grad[3] += dot(pa, dig(de + ns) - dig(ga + de + ns))
            grad[3] += np.sum(pd * (dig(de + tt) - dig(ga + de + tt + 1.0)))
        return float(value), grad

    return evaluate


@dataclass(frozen=True)
class BGBBFit:
    """Fitted BG/BB model; time is counted in transaction opportunities (periods)."""

    alpha: float
    beta: float
    gamma: float
    delta: float
    log_likelihood: float
    aic: float
    bic: float
    n_customers: float
    standard_errors: dict[str, float] | None = None
    converged: bool = True

    @property
    def params(self) -> dict[str, float]:
        return {"alpha": self.alpha, "beta": self.beta, "gamma": self.gamma, "delta": self.delta}

    def _log_l(self, x: np.ndarray, t_x: np.ndarray, n: np.ndarray) -> np.ndarray:
        al, be, ga, de = self.alpha, self.beta, self.gamma, self.delta
        out = np.empty(x.shape)
        step = max(1, _CHUNK_CELLS // max(1, int((n - t_x).max(initial=1))))
        for lo in range(0, x.size, step):
            sl = slice(lo, lo + step)
            alive, dead, _ = _log_terms(x[sl], t_x[sl], n[sl], al, be, ga, de)
            out[sl] = np.logaddexp(alive, special.logsumexp(dead, axis=1))
        return out - special.betaln(al, be) - special.betaln(ga, de)

    def log_likelihood_per_customer(
        self, frequency: object, recency: object, n_periods: object
    ) -> np.ndarray:
        """ln L(alpha, beta, gamma, delta | x, t_x, n) for each customer."""
        x, t_x, n = _validate(frequency, recency, n_periods)
        return self._log_l(x.ravel(), t_x.ravel(), n.ravel()).reshape(x.shape)

    def p_alive(self, frequency: object, recency: object, n_periods: object) -> np.ndarray:
        """P(alive at opportunity n+1 | x, t_x, n) (FHS 2010, eq. 11)."""
        checked = _validate(frequency, recency, n_periods)
        shape = checked[0].shape
        x, t_x, n = (v.ravel() for v in checked)
        al, be, ga, de = self.alpha, self.beta, self.gamma, self.delta
        log_alive = (
            special.betaln(al + x, be + n - x)
            - special.betaln(al, be)
            + special.betaln(ga, de + n + 1.0)
            - special.betaln(ga, de)
        )
        return np.clip(np.exp(log_alive - self._log_l(x, t_x, n)), 0.0, 1.0).reshape(shape)

    def _log_survival_sum(self, n: np.ndarray, t: np.ndarray) -> np.ndarray:
        """ln sum_{j=1}^{t} B(gamma, delta+n+j)/B(gamma, delta), per (n, t) pair."""
        ga, de = self.gamma, self.delta
        pairs, inverse = np.unique(np.stack([n, t], axis=1), axis=0, return_inverse=True)
        out = np.full(pairs.shape[0], -np.inf)
        for k, (nk, tk) in enumerate(pairs):
            if tk > 0:
                j = np.arange(1.0, tk + 1.0)
                terms = special.betaln(ga, de + nk + j) - special.betaln(ga, de)
                out[k] = special.logsumexp(terms)
        return out[inverse.ravel()]

    def expected_purchases(
        self, t: object, frequency: object, recency: object, n_periods: object
    ) -> np.ndarray:
        """E[transactions in opportunities n+1..n+t | x, t_x, n] (FHS 2010, eq. 13)."""
        t_arr = _as_periods(t)
        t_b, x, t_x, n = np.broadcast_arrays(t_arr, *_validate(frequency, recency, n_periods))
        shape = x.shape
        t_b, x, t_x, n = (v.ravel() for v in (t_b, x, t_x, n))
        al, be = self.alpha, self.beta
        log_num = special.betaln(al + x + 1.0, be + n - x) - special.betaln(al, be)
        log_value = log_num - self._log_l(x, t_x, n) + self._log_survival_sum(n, t_b)
        return np.exp(log_value).reshape(shape)

    def expected_purchases_new(self, t: object) -> np.ndarray:
        """E[X(t)] over the first t opportunities of a new customer (FHS 2010, eq. 8)."""
        t_arr = _as_periods(t)
        flat = t_arr.ravel()
        log_sum = self._log_survival_sum(np.zeros(flat.size), flat)
        return (self.alpha / (self.alpha + self.beta) * np.exp(log_sum)).reshape(t_arr.shape)


def _as_periods(t: object) -> np.ndarray:
    t_arr = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(t_arr)) or np.any(t_arr < 0) or np.any(t_arr != np.floor(t_arr)):
        raise ValueError("BG/BB horizons are whole numbers of transaction opportunities")
    return t_arr


def fit_bgbb(
    frequency: object,
    recency: object,
    n_periods: object,
    *,
    weights: object = None,
    standard_errors: bool = False,
) -> BGBBFit:
    """Fit the BG/BB model by maximum likelihood.

    ``frequency`` = x transactions in ``n_periods`` opportunities, ``recency`` = the
    opportunity of the last one (0 if none); ``weights`` = optional customer counts.
    """
    x, t_x, n = (np.ravel(v) for v in _validate(frequency, recency, n_periods))
    if weights is None:
        w = np.ones(x.size)
    else:
        w = np.broadcast_to(as_float_array(weights, "weights"), x.shape).astype(float)
        if np.any(w < 0):
            raise ValueError("weights must be non-negative")
    keep = w > 0
    if not np.any(keep):
        raise ValueError("at least one customer is needed to fit the model")
    (ux, ut, un), uw, _ = unique_rows((x[keep], t_x[keep], n[keep]), w[keep])
    total = float(uw.sum())
    result = maximize_log_likelihood(
        _log_likelihood(ux, ut, un, uw),
        np.ones(4),
        total_weight=total,
        standard_errors=standard_errors,
    )
    aic, bic = information_criteria(result.log_likelihood, 4, total)
    errors = None
    if result.standard_errors is not None:
        errors = dict(zip(_PARAM_NAMES, (float(v) for v in result.standard_errors), strict=True))
    al, be, ga, de = (float(v) for v in result.params)
    return BGBBFit(
        alpha=al,
        beta=be,
        gamma=ga,
        delta=de,
        log_likelihood=result.log_likelihood,
        aic=aic,
        bic=bic,
        n_customers=int(round(total)) if abs(total - round(total)) < 1e-9 else total,
        standard_errors=errors,
        converged=result.converged,
    )
