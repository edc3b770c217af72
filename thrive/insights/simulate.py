"""Exact, vectorised simulators of the customer-base models, for tests and planning.

Each draws the customers' latent traits from the mixing distributions and then the
observable summary exactly, without time stepping:

* BG/NBD (Fader, Hardie & Lee 2005): lambda ~ Gamma(r, alpha), p ~ Beta(a, b).  The
  number of purchases the customer would make in (0, T] if she never dropped out is
  N ~ Poisson(lambda T); she drops out after her D-th purchase, D ~ Geometric(p) on
  {1, 2, ...}; so x = min(N, D).  Given N, purchase times are the order statistics of N
  uniforms on (0, T], so the x-th one is t_x = T * Beta(x, N - x + 1).
* MBG/NBD (Batislam et al. 2007): as BG/NBD, but she may also drop out at time 0, so
  D ~ Geometric(p) - 1 on {0, 1, ...}.
* Pareto/NBD (Schmittlein et al. 1987): lambda ~ Gamma(r, alpha), lifetime
  tau ~ Exponential(mu) with mu ~ Gamma(s, beta); x ~ Poisson(lambda min(tau, T)) and t_x
  is the largest of x uniforms on (0, min(tau, T)], i.e. min(tau, T) * Beta(x, 1).
* BG/BB (Fader, Hardie & Shang 2010): p ~ Beta(alpha, beta), theta ~ Beta(gamma, delta);
  the customer is alive at opportunity j with probability (1 - theta)**j and transacts
  at each live opportunity with probability p, simulated opportunity by opportunity
  (vectorised across customers).
* Gamma-Gamma (Fader & Hardie 2013): nu ~ Gamma(q, gamma); the mean of x transaction
  values Gamma(p, nu) is Gamma(p x, x nu).

Rates are Gamma with shape and *rate* parameters, as in the papers; numpy's gamma takes a
scale, hence the 1 / rate below.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "simulate_bgbb",
    "simulate_bgnbd",
    "simulate_gamma_gamma",
    "simulate_mbgnbd",
    "simulate_pareto_nbd",
]

Summary = tuple[np.ndarray, np.ndarray, np.ndarray]


def _positive(**params: float) -> None:
    for name, value in params.items():
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be positive")


def _observation_lengths(T: object, size: int) -> np.ndarray:
    big_t = np.broadcast_to(np.asarray(T, dtype=float), (size,)).copy()
    if not np.all(np.isfinite(big_t)) or np.any(big_t < 0):
        raise ValueError("T must be finite and non-negative")
    return big_t


def _order_statistic_times(
    rng: np.random.Generator, x: np.ndarray, n: np.ndarray, span: np.ndarray
) -> np.ndarray:
    """Time of the x-th of n uniform events on (0, span]: span * Beta(x, n - x + 1)."""
    t_x = np.zeros(x.shape)
    has = x > 0
    t_x[has] = span[has] * rng.beta(x[has], n[has] - x[has] + 1.0)
    return t_x


def _beta_geometric(
    r: float, alpha: float, a: float, b: float, T: object, size: int, seed: object, shift: int
) -> Summary:
    _positive(r=r, alpha=alpha, a=a, b=b)
    rng = np.random.default_rng(seed)  # type: ignore[arg-type]
    big_t = _observation_lengths(T, size)
    lam = rng.gamma(r, 1.0 / alpha, size)
    p = rng.beta(a, b, size)
    n = rng.poisson(lam * big_t).astype(float)
    # numpy's geometric counts trials to the first success, on {1, 2, ...}.
    dropout = rng.geometric(np.clip(p, 1e-300, 1.0)).astype(float) - shift
    x = np.minimum(n, dropout)
    return x, _order_statistic_times(rng, x, n, big_t), big_t


def simulate_bgnbd(
    r: float, alpha: float, a: float, b: float, *, T: object, size: int, seed: object = None
) -> Summary:
    """(frequency, recency, T) of ``size`` BG/NBD customers observed for T units."""
    return _beta_geometric(r, alpha, a, b, T, size, seed, shift=0)


def simulate_mbgnbd(
    r: float, alpha: float, a: float, b: float, *, T: object, size: int, seed: object = None
) -> Summary:
    """(frequency, recency, T) of ``size`` MBG/NBD customers observed for T units."""
    return _beta_geometric(r, alpha, a, b, T, size, seed, shift=1)


def simulate_pareto_nbd(
    r: float, alpha: float, s: float, beta: float, *, T: object, size: int, seed: object = None
) -> Summary:
    """(frequency, recency, T) of ``size`` Pareto/NBD customers observed for T units."""
    _positive(r=r, alpha=alpha, s=s, beta=beta)
    rng = np.random.default_rng(seed)  # type: ignore[arg-type]
    big_t = _observation_lengths(T, size)
    lam = rng.gamma(r, 1.0 / alpha, size)
    mu = rng.gamma(s, 1.0 / beta, size)
    lifetime = rng.exponential(1.0, size) / np.maximum(mu, 1e-300)
    span = np.minimum(lifetime, big_t)
    x = rng.poisson(lam * span).astype(float)
    return x, _order_statistic_times(rng, x, x, span), big_t


def simulate_bgbb(
    alpha: float,
    beta: float,
    gamma: float,
    delta: float,
    *,
    n_periods: int,
    size: int,
    seed: object = None,
) -> Summary:
    """(frequency, recency, n_periods) of ``size`` BG/BB customers over n opportunities."""
    _positive(alpha=alpha, beta=beta, gamma=gamma, delta=delta)
    if n_periods < 0 or int(n_periods) != n_periods:
        raise ValueError("n_periods must be a non-negative whole number")
    rng = np.random.default_rng(seed)  # type: ignore[arg-type]
    p = rng.beta(alpha, beta, size)
    theta = rng.beta(gamma, delta, size)
    # Number of opportunities survived: alive at j with probability (1 - theta)**j.
    survived = rng.geometric(np.clip(theta, 1e-300, 1.0)) - 1
    x = np.zeros(size)
    t_x = np.zeros(size)
    for j in range(1, int(n_periods) + 1):
        buys = (survived >= j) & (rng.random(size) < p)
        x += buys
        t_x[buys] = j
    return x, t_x, np.full(size, float(n_periods))


def simulate_gamma_gamma(
    p: float, q: float, gamma: float, *, frequency: object, seed: object = None
) -> np.ndarray:
    """Mean repeat-transaction value for customers with the given ``frequency`` (0 if 0)."""
    _positive(p=p, q=q, gamma=gamma)
    x = np.asarray(frequency, dtype=float)
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency must be a non-negative whole number")
    rng = np.random.default_rng(seed)  # type: ignore[arg-type]
    nu = rng.gamma(q, 1.0 / gamma, x.shape)
    has = x > 0
    out = np.zeros(x.shape)
    out[has] = rng.gamma(p * x[has], 1.0 / (x[has] * nu[has]))
    return out
