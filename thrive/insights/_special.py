"""Numerically careful special-function helpers shared by the customer-base models.

Everything here works on numpy arrays, in log space where magnitudes can overflow, and is
written so that valid arguments never produce NaN, infinities or negative expectations.

The central quantity of the BG/NBD family is

    G(t; k, c, a, b') = E[(1 - (c / (c + p t))**k) / p],    p ~ Beta(a, b'),

the expected number of purchases in the next ``t`` time units of a customer who is alive
now, whose purchase rate has a Gamma(k, c) posterior (shape k, rate c) and whose
per-purchase dropout probability has a Beta(a, b') posterior (Fader, Hardie & Lee 2005,
eq. 10; Batislam, Denizel & Filiztekin 2007, eq. 9).  Integrating over ``p`` gives the
closed form

    G = (a + b' - 1) / (a - 1) * [1 - (1 - z)**(a - 1) * 2F1(a + b' - 1 - k, a - 1; a + b' - 1; z)]

with ``z = t / (c + t)`` in [0, 1); this is the papers' formula after Euler's
transformation 2F1(A, B; C; z) = (1 - z)**(C - A - B) 2F1(C - A, C - B; C; z), which keeps
the hypergeometric series convergent up to z = 1 and free of the huge (1 - z)**(-k)
factor that overflows for frequent buyers.  Near a = 1 the prefactor is 0/0 and for
a + b' - 1 <= 0 the series has poles, so there (and wherever the closed form fails a sanity
check) ``G`` is evaluated instead by Gauss-Jacobi quadrature of the defining integral,
which is non-negative and finite by construction.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import special

__all__ = [
    "beta_geometric_expectation",
    "gauss_jacobi_beta",
    "gauss_legendre_unit",
    "log1mexp",
]

_QUADRATURE_NODES = 64


def log1mexp(x: np.ndarray) -> np.ndarray:
    """log(1 - exp(x)) for x <= 0, accurate near 0 and for very negative x (Maechler 2012).

    Returns -inf at x = 0.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(x > -np.log(2.0), np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


@lru_cache(maxsize=16)
def gauss_legendre_unit(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes on [0, 1] and weights summing to 1."""
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return (nodes + 1.0) / 2.0, weights / 2.0


def gauss_jacobi_beta(n: int, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes in (0, 1) and weights (summing to 1) integrating against the Beta(a, b) density.

    Exact for polynomials of degree < 2n; the density's endpoint singularities (a < 1 or
    b < 1) are absorbed by the weight function, so the integrand only has to be smooth.
    """
    nodes, weights = _gauss_jacobi_cached(n, float(a), float(b))
    return nodes, weights


@lru_cache(maxsize=4096)
def _gauss_jacobi_cached(n: int, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    # scipy's weight is (1 - u)**alpha (1 + u)**beta on [-1, 1]; p = (1 + u) / 2 turns it
    # into p**(a - 1) (1 - p)**(b - 1).
    u, w = special.roots_jacobi(n, b - 1.0, a - 1.0)
    p = np.clip((1.0 + u) / 2.0, np.finfo(float).tiny, 1.0)
    w = np.maximum(w, 0.0)
    return p, w / w.sum()


def beta_geometric_expectation(
    t: np.ndarray | float,
    k: np.ndarray | float,
    c: np.ndarray | float,
    a: float,
    b_post: np.ndarray | float,
) -> np.ndarray:
    """G(t; k, c, a, b') = E[(1 - (c / (c + p t))**k) / p] with p ~ Beta(a, b').

    All arguments broadcast; ``t >= 0`` and ``k, c, a, b' > 0``.  See the module docstring
    for the closed form.  The result lies in [0, k t / c] (because 1 - (1 + y)**-k <= k y),
    is 0 at t = 0 and increases with t.
    """
    t, k, c, b_post = np.broadcast_arrays(
        np.asarray(t, dtype=float),
        np.asarray(k, dtype=float),
        np.asarray(c, dtype=float),
        np.asarray(b_post, dtype=float),
    )
    shape = t.shape
    t, k, c, b_post = (v.ravel() for v in (t, k, c, b_post))
    out = np.zeros(t.shape)
    positive = t > 0
    upper = k * t / c
    big_c = a + b_post - 1.0
    closed = positive & (abs(a - 1.0) >= 1e-3) & (big_c >= 0.5)
    if np.any(closed):
        idx = np.flatnonzero(closed)
        z = t[idx] / (c[idx] + t[idx])
        cc = big_c[idx]
        with np.errstate(all="ignore"):
            log_prefactor = (a - 1.0) * np.log1p(-z)
            hyp = special.hyp2f1(cc - k[idx], a - 1.0, cc, z)
            one_minus_f = -np.expm1(log_prefactor + np.log(hyp))
            one_minus_f = np.where(hyp > 0, one_minus_f, np.nan)
            value = cc / (a - 1.0) * one_minus_f
        # The series loses accuracy where it nearly cancels; anything outside the provable
        # range [0, k t / c] goes to the quadrature below.
        ok = np.isfinite(value) & (value >= 0.0) & (value <= upper[idx] * (1.0 + 1e-9))
        out[idx[ok]] = value[ok]
        closed[idx[~ok]] = False
    todo = np.flatnonzero(positive & ~closed)
    if todo.size:
        out[todo] = _beta_geometric_quadrature(t[todo], k[todo], c[todo], a, b_post[todo])
    return np.minimum(out, upper).reshape(shape)


def _beta_geometric_quadrature(
    t: np.ndarray, k: np.ndarray, c: np.ndarray, a: float, b_post: np.ndarray
) -> np.ndarray:
    out = np.empty(t.shape)
    # The Beta(a, b') weight depends on b' = b + frequency, so the rows are grouped by it
    # (a loop over distinct frequencies, not over customers).
    values, inverse = np.unique(b_post, return_inverse=True)
    for j, bp in enumerate(values):
        rows = np.flatnonzero(inverse == j)
        p, w = gauss_jacobi_beta(_QUADRATURE_NODES, a, bp)
        u = (t[rows] / c[rows])[:, None] * p[None, :]
        integrand = -np.expm1(-k[rows, None] * np.log1p(u)) / p[None, :]
        out[rows] = integrand @ w
    return np.maximum(out, 0.0)
