"""The Gamma-Gamma model of the monetary value of repeat transactions.

Colombo & Jiang (1999), "A stochastic RFM model", J. Interactive Marketing 13(3), in the
form of Fader & Hardie (2013), "The Gamma-Gamma model of monetary value": a customer's
transaction values are i.i.d. Gamma(p, nu) (shape p, rate nu), and nu ~ Gamma(q, gamma)
across customers.  The mean m of x repeat transactions then has the density

    f(m | x) = Gamma(p x + q) / (Gamma(p x) Gamma(q)) * gamma**q x**(p x) m**(p x - 1)
               / (gamma + x m)**(p x + q),

which is the likelihood maximised here (customers with x >= 1 and m > 0 only).  The
customer's expected transaction value is p / nu; its posterior mean (Fader & Hardie 2013,
eq. 5) is

    E[M | x, m] = p (gamma + x m) / (p x + q - 1)
                = (q - 1)/(p x + q - 1) * p gamma/(q - 1) + p x/(p x + q - 1) * m,

a weighted average of the population mean p gamma / (q - 1) and the observed mean m.

When q <= 1 the population mean is infinite (nu can be arbitrarily close to 0), and the
posterior mean is infinite whenever p x + q <= 1, in particular for every customer without
repeat purchases.  ``expected_spend`` then returns the posterior *median* of p / nu,
p (gamma + x m) / Q(p x + q, 1/2) with Q the Gamma(p x + q, 1) median, which is always
finite; ``GammaGammaFit.mean_defined`` tells whether the population mean exists (q > 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from .fitting import (
    SUBSAMPLE_ABOVE,
    SUBSAMPLE_ROWS,
    LogLikelihood,
    as_float_array,
    dot,
    information_criteria,
    maximize_log_likelihood,
    power_of_two_scale,
    unique_rows,
)

__all__ = ["GammaGammaFit", "fit_gamma_gamma"]

_PARAM_NAMES = ("p", "q", "gamma")


def _validate(frequency: object, monetary_value: object) -> tuple[np.ndarray, np.ndarray]:
    x, m = np.broadcast_arrays(
        np.asarray(frequency, dtype=float), np.asarray(monetary_value, dtype=float)
    )
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(m))):
        raise ValueError("frequency and monetary_value must be finite")
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency must be a non-negative whole number")
    if np.any(m < 0):
        raise ValueError("monetary_value must be non-negative")
    return x, m


@dataclass(frozen=True)
class GammaGammaFit:
    """Fitted Gamma-Gamma spend model; see the module docstring."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    aic: float
    bic: float
    n_customers: float
    standard_errors: dict[str, float] | None = None
    converged: bool = True

    @property
    def params(self) -> dict[str, float]:
        return {"p": self.p, "q": self.q, "gamma": self.gamma}

    @property
    def mean_defined(self) -> bool:
        """Whether the population mean spend p gamma / (q - 1) exists (q > 1)."""
        return self.q > 1.0

    def expected_spend(self, frequency: object, monetary_value: object) -> np.ndarray:
        """E[M | x, m] = p (gamma + x m) / (p x + q - 1); the posterior median where the
        mean is infinite (p x + q <= 1, see the module docstring).  x = 0 gives the
        population value whatever ``monetary_value`` holds."""
        x, m = _validate(frequency, monetary_value)
        m = np.where(x > 0, m, 0.0)
        shape = self.p * x + self.q
        scale = self.p * (self.gamma + x * m)
        has_mean = shape > 1.0
        out = scale / np.where(has_mean, shape - 1.0, 1.0)
        if not np.all(has_mean):
            undefined = ~has_mean
            out[undefined] = scale[undefined] / special.gammaincinv(shape[undefined], 0.5)
        return out

    def log_likelihood_per_customer(self, frequency: object, monetary_value: object) -> np.ndarray:
        """ln f(m | x) for customers with x >= 1 and m > 0 (-inf would be meaningless
        elsewhere, so other customers raise ValueError)."""
        x, m = _validate(frequency, monetary_value)
        if np.any(x < 1) or np.any(m <= 0):
            raise ValueError("the spend likelihood needs frequency >= 1 and monetary_value > 0")
        p, q, g = self.p, self.q, self.gamma
        px = p * x
        return (
            special.gammaln(px + q)
            - special.gammaln(px)
            - special.gammaln(q)
            + q * np.log(g)
            + px * np.log(x)
            + (px - 1.0) * np.log(m)
            - (px + q) * np.log(g + x * m)
        )


def _log_likelihood(x: np.ndarray, m: np.ndarray, w: np.ndarray) -> LogLikelihood:
    xv, x_index = np.unique(x, return_inverse=True)
    wv = np.bincount(x_index.ravel(), w, minlength=xv.size)
    log_x, log_m = np.log(x), np.log(m)
    wx = w * x
    total = float(w.sum())
    sum_wx_logxm = dot(wx, log_x + log_m)
    sum_w_logm = dot(w, log_m)
    gln, dig = special.gammaln, special.digamma

    def evaluate(theta: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, g = (float(v) for v in theta)
        log_gxm = np.log(g + x * m)
        pxv = p * xv
        pq = p * wx + q * w
        value = dot(wv, gln(pxv + q) - gln(pxv)) - total * (gln(q) - q * np.log(g))
        value += p * sum_wx_logxm - sum_w_logm - dot(pq, log_gxm)
        g_p = dot(wv, xv * (dig(pxv + q) - dig(pxv))) + sum_wx_logxm - dot(wx, log_gxm)
        g_q = dot(wv, dig(pxv + q)) - total * (dig(q) - np.log(g)) - dot(w, log_gxm)
        g_g = total * q / g - dot(pq, 1.0 / (g + x * m))
        return float(value), np.array([g_p, g_q, g_g])

    return evaluate


def fit_gamma_gamma(
    frequency: object,
    monetary_value: object,
    *,
    weights: object = None,
    standard_errors: bool = False,
) -> GammaGammaFit:
    """Fit the Gamma-Gamma model to repeat customers' mean transaction values.

    Customers with frequency 0 or a non-positive mean value carry no information about
    spend and are left out; ``n_customers`` counts those used.
    """
    x, m = _validate(frequency, monetary_value)
    x, m = np.ravel(x), np.ravel(m)
    if weights is None:
        w = np.ones(x.size)
    else:
        w = np.broadcast_to(as_float_array(weights, "weights"), x.shape).astype(float)
        if np.any(w < 0):
            raise ValueError("weights must be non-negative")
    keep = (x > 0) & (m > 0) & (w > 0)
    if not np.any(keep):
        raise ValueError("the spend model needs customers with repeat purchases")
    # Fit in a money unit that makes the mean spend about 1 (see power_of_two_scale), so
    # cents, dollars or a currency with large numbers fit the same.
    scale = power_of_two_scale(m[keep], typical="mean")
    (ux, um), uw, _ = unique_rows((x[keep], m[keep] / scale), w[keep])
    n = float(uw.sum())
    # Start: p = 2, q = 3 and gamma matching the population mean p gamma / (q - 1) to the
    # weighted mean of the observed means.
    mean_m = dot(uw, um) / n
    subsample = None
    if ux.size > SUBSAMPLE_ABOVE:
        pick = np.arange(0, ux.size, ux.size // SUBSAMPLE_ROWS)
        subsample = (_log_likelihood(ux[pick], um[pick], uw[pick]), float(uw[pick].sum()))
    result = maximize_log_likelihood(
        _log_likelihood(ux, um, uw),
        np.array([2.0, 3.0, mean_m]),
        total_weight=n,
        standard_errors=standard_errors,
        subsample=subsample,
    )
    # Back to the caller's unit: gamma is money, and each customer's density of mean spend
    # carries one 1/money factor, so LL(unit) = LL(scaled) - n ln(scale).
    log_likelihood = result.log_likelihood - n * np.log(scale)
    aic, bic = information_criteria(log_likelihood, 3, n)
    errors = None
    if result.standard_errors is not None:
        se = result.standard_errors * np.array([1.0, 1.0, scale])
        errors = dict(zip(_PARAM_NAMES, (float(v) for v in se), strict=True))
    p, q, g = (float(v) for v in result.params)
    g *= scale
    return GammaGammaFit(
        p=p,
        q=q,
        gamma=g,
        log_likelihood=float(log_likelihood),
        aic=aic,
        bic=bic,
        n_customers=int(round(n)) if abs(n - round(n)) < 1e-9 else n,
        standard_errors=errors,
        converged=result.converged,
    )
