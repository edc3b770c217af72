"""BG/NBD and modified BG/NBD models of repeat purchasing in non-contractual settings.

BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way: an alternative to
the Pareto/NBD model", Marketing Science 24(2)):  while active, a customer buys as a
Poisson process with rate lambda ~ Gamma(r, alpha) (shape r, rate alpha); after every
purchase she drops out for good with probability p ~ Beta(a, b).  With x repeat purchases,
the last at t_x, in (0, T] (eq. 6):

    L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha**r / (Gamma(r) (alpha+T)**(r+x))
        + 1{x>0} B(a+1, b+x-1)/B(a, b) * Gamma(r+x) alpha**r / (Gamma(r) (alpha+t_x)**(r+x))

MBG/NBD (Batislam, Denizel & Filiztekin 2007, "Empirical validation and comparison of
models for customer base analysis", IJRM 24(3)) lets the customer also drop out right
after the first purchase (time 0), which removes BG/NBD's "zero repeaters are alive"
artefact:

    L = B(a, b+x+1)/B(a, b) * Gamma(r+x) alpha**r / (Gamma(r) (alpha+T)**(r+x))
        + B(a+1, b+x)/B(a, b) * Gamma(r+x) alpha**r / (Gamma(r) (alpha+t_x)**(r+x))

Both are handled with a shift ``s`` (0 for BG/NBD, 1 for MBG/NBD): the log-likelihood is

    ln L = ln Gamma(r+x) - ln Gamma(r) + r ln alpha - (r+x) ln(alpha+T)
           + ln B(a, b+x+s) - ln B(a, b) + 1{x+s>0} softplus(d),
    d = ln(a / (b+x+s-1)) + (r+x) [ln(alpha+T) - ln(alpha+t_x)],

because B(a+1, b+x+s-1)/B(a, b+x+s) = a/(b+x+s-1).  softplus(d) = ln(1 + e**d) is
evaluated stably, so no input overflows, and P(alive) = 1 / (1 + e**d) (eq. 11; 1 for
x = 0 in BG/NBD).  The gradient is analytic; the Gamma/Beta-function terms depend on x
only and are aggregated over the distinct frequencies, so a likelihood evaluation costs a
few vectorised passes over the unique customer rows.

Expected purchases in the next t units (eq. 10 and its MBG analogue) are
P(alive) * G(t; r+x, alpha+T, a, b+x+s), and for a new customer (eq. 7)
E[X(t)] = G(t; r, alpha, a, b) for BG/NBD and b/(a+b) G(t; r, alpha, a, b+1) for MBG/NBD,
where G is the Beta-geometric expectation of ``thrive.insights._special``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy import special

from ._special import beta_geometric_expectation, beta_geometric_expectation_table
from .fitting import (
    SUBSAMPLE_ABOVE,
    SUBSAMPLE_ROWS,
    LogLikelihood,
    as_float_array,
    dot,
    information_criteria,
    maximize_log_likelihood,
    power_of_two_scale,
    softplus,
    unique_rows,
    validate_frequency_recency_T,
)

__all__ = ["BGNBDFit", "MBGNBDFit", "fit_bgnbd", "fit_mbgnbd"]

_PARAM_NAMES = ("r", "alpha", "a", "b")


@dataclass(frozen=True)
class _CustomerRows:
    """Collapsed customer rows, sorted by frequency, plus per-frequency aggregates."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    w: np.ndarray
    n_zero: int
    x_values: np.ndarray
    x_index: np.ndarray
    x_weight: np.ndarray

    @classmethod
    def build(
        cls, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, w: np.ndarray
    ) -> _CustomerRows:
        keep = w > 0
        (ux, ut, uT), uw, _ = unique_rows((x[keep], t_x[keep], big_t[keep]), w[keep])
        return cls.from_sorted(ux, ut, uT, uw)

    @classmethod
    def from_sorted(
        cls, ux: np.ndarray, ut: np.ndarray, uT: np.ndarray, uw: np.ndarray
    ) -> _CustomerRows:
        """From rows already unique and sorted by frequency."""
        change = np.flatnonzero(np.r_[True, ux[1:] != ux[:-1]]) if ux.size else np.zeros(0, int)
        x_values = ux[change]
        counts = np.diff(np.r_[change, ux.size])
        x_index = np.repeat(np.arange(x_values.size), counts)
        x_weight = np.bincount(x_index, uw, minlength=x_values.size)
        n_zero = int(np.searchsorted(ux, 0.5))
        return cls(ux, ut, uT, uw, n_zero, x_values, x_index, x_weight)

    def systematic_subsample(self) -> tuple[_CustomerRows, float] | None:
        """Every k-th row (a frequency-stratified sample) when there are very many rows."""
        if self.x.size <= SUBSAMPLE_ABOVE:
            return None
        pick = np.arange(0, self.x.size, self.x.size // SUBSAMPLE_ROWS)
        sub = _CustomerRows.from_sorted(self.x[pick], self.t_x[pick], self.T[pick], self.w[pick])
        return sub, float(sub.w.sum())


def _log_likelihood(rows: _CustomerRows, shift: int) -> LogLikelihood:
    """Total weighted log-likelihood and analytic gradient in (r, alpha, a, b)."""
    x, t_x, big_t, w = rows.x, rows.t_x, rows.T, rows.w
    xv, wv = rows.x_values, rows.x_weight
    first = rows.n_zero if shift == 0 else 0
    xa, ta, wa, ia = x[first:], t_x[first:], w[first:], rows.x_index[first:]
    wx = w * x
    total = float(w.sum())
    gln, dig = special.gammaln, special.digamma

    def evaluate(theta: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = (float(v) for v in theta)
        log_t = np.log(alpha + big_t)
        inv_t = 1.0 / (alpha + big_t)
        bx = b + xv + shift
        w_log_t, wx_log_t = dot(w, log_t), dot(wx, log_t)
        value = dot(wv, gln(r + xv) - gln(r) + gln(bx) - gln(a + bx) - gln(b) + gln(a + b))
        value += r * np.log(alpha) * total - r * w_log_t - wx_log_t
        g_r = dot(wv, dig(r + xv) - dig(r)) + np.log(alpha) * total - w_log_t
        g_alpha = r * total / alpha - r * dot(w, inv_t) - dot(wx, inv_t)
        g_a = dot(wv, dig(a + b) - dig(a + bx))
        g_b = dot(wv, dig(bx) - dig(a + bx) - dig(b) + dig(a + b))
        if xa.size:
            # Rows with x + s = 0 never reach here, so b + x + s - 1 >= b > 0.
            denom = np.where(bx - 1.0 > 0, bx - 1.0, 1.0)
            c_x = np.log(a) - np.log(denom)
            log_tx = np.log(alpha + ta)
            delta = log_t[first:] - log_tx
            rx = r + xa
            d = c_x[ia] + rx * delta
            value += dot(wa, softplus(d))
            sig = wa * special.expit(d)
            g_r += dot(sig, delta)
            g_alpha += dot(sig * rx, inv_t[first:] - 1.0 / (alpha + ta))
            per_x = np.bincount(ia, sig, minlength=xv.size)
            g_a += per_x.sum() / a
            g_b -= dot(per_x, 1.0 / denom)
        return float(value), np.array([g_r, g_alpha, g_a, g_b])

    return evaluate


def _start(rows: _CustomerRows) -> np.ndarray:
    """Method-of-moments NBD estimates for (r, alpha), ignoring dropout; a = 1, b = 3.

    Under the NBD, E[x] = r T / alpha and Var[x] = r T / alpha + r T**2 / alpha**2.
    """
    x, big_t, w = rows.x, rows.T, rows.w
    exposure = max(dot(w, big_t), 1e-12)
    rate = max(dot(w, x) / exposure, 1e-6 / max(float(big_t.max(initial=1.0)), 1e-12))
    excess = dot(w, (x - rate * big_t) ** 2) - rate * exposure
    spread = excess / max(dot(w, big_t**2), 1e-12)
    r = float(np.clip(rate**2 / spread, 0.05, 20.0)) if spread > 0 else 1.0
    return np.array([r, r / rate, 1.0, 3.0])


@dataclass(frozen=True)
class _BetaGeometricFit:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    aic: float
    bic: float
    n_customers: float
    standard_errors: dict[str, float] | None = None
    converged: bool = True

    _shift: ClassVar[int] = 0

    @property
    def params(self) -> dict[str, float]:
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}

    def _log_odds_dead(self, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        """d = ln(a/(b+x+s-1)) + (r+x) ln((alpha+T)/(alpha+t_x)); P(alive) = 1/(1+e**d)."""
        bx = self.b + x + self._shift - 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            d = (
                np.log(self.a)
                - np.log(bx)
                + (self.r + x) * np.log((self.alpha + big_t) / (self.alpha + t_x))
            )
        if self._shift == 0:
            d = np.where(x > 0, d, -np.inf)
        return d

    def p_alive(self, frequency: object, recency: object, T: object) -> np.ndarray:
        """P(still active at T | x, t_x, T) = 1 / (1 + e**d), see the module docstring."""
        x, t_x, big_t = validate_frequency_recency_T(frequency, recency, T)
        return _p_alive_from_log_odds(self._log_odds_dead(x, t_x, big_t))

    def p_alive_and_expected_purchases(
        self, t: object, frequency: object, recency: object, T: object
    ) -> tuple[np.ndarray, np.ndarray]:
        """``p_alive`` and ``expected_purchases(t, ...)`` in one call, for scoring a whole
        customer base: the inputs are checked once and P(alive) computed once.

        With one horizon and many customers whose ages T take few distinct values (whole
        days, as summaries of order dates give them), everything that depends on (x, T)
        only -- G and the per-frequency constants of the log-odds -- is computed once per
        distinct (x, T) pair (1,000,000 customers over two years: ~16,000 pairs) and
        gathered; per customer only ln((alpha+T)/(alpha+t_x)), one exp and a few products
        remain.  The values are those of the two methods, to rounding.
        """
        t_arr = _as_horizon(t)
        # The two outputs double as the scratch space of the checks and of the grouping:
        # a fresh 8 MB array costs about as much as a pass over it (its pages are new).
        shape = np.broadcast_shapes(
            np.shape(np.asarray(frequency)), np.shape(np.asarray(recency)), np.shape(np.asarray(T))
        )
        p, expected = np.empty(shape), np.empty(shape)
        x, t_x, big_t = validate_frequency_recency_T(frequency, recency, T, scratch=expected)
        cells = None
        if t_arr.ndim == 0 and x.size > _GROUP_ABOVE and x.shape == big_t.shape:
            cells = _frequency_age_cells(x, big_t, p, expected)
        if cells is not None:
            return self._p_alive_and_expected_by_cell(t_arr, t_x, big_t, *cells, p, expected)
        pairs = None
        if t_arr.ndim == 0 and x.size > _GROUP_ABOVE and x.shape == big_t.shape:
            pairs = _frequency_age_pairs(x, big_t)
        if pairs is None:
            p = _p_alive_from_log_odds(self._log_odds_dead(x, t_x, big_t))
            return p, p * self.expected_purchases_if_alive(t_arr, x, big_t)
        px, p_t, pair = pairs
        g, intercept, slope, _ = self._per_pair(t_arr, px, p_t)
        # d = ln(a/(b+x+s-1)) + (r+x) ln((alpha+T)/(alpha+t_x)), in place: the log of the
        # ratio (not a difference of logs) keeps d accurate for very frequent buyers.
        d = self.alpha + big_t
        d /= self.alpha + t_x
        np.log(d, out=d)
        # np.take: a plain gather, faster than fancy indexing.
        d *= np.take(slope, pair)
        d += np.take(intercept, pair)
        p = _p_alive_from_log_odds(d, at_least_minus_100=True)
        expected = np.take(g, pair)
        expected *= p
        return p, expected

    def p_alive_and_expected_purchases_days(
        self,
        t: object,
        frequency: object,
        recency_days: object,
        age_days: object,
        *,
        days_per_unit: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``p_alive_and_expected_purchases(t, frequency, recency_days / days_per_unit,
        age_days / days_per_unit)`` for whole-number arrays, as scoring has them (order
        dates give whole days): the same values, without the passes that find out whether
        float ages are whole days and without converting the day counts.

        The ages index the (frequency, age) tables directly, and alpha + T comes from a
        table over the days (alpha + days / days_per_unit, the same operations as the
        float call's).  Anything else (floats, a horizon per customer, few customers,
        very frequent buyers) takes the float call, which also words the errors.
        """
        x, tx, ta = (np.asarray(v) for v in (frequency, recency_days, age_days))
        k = float(days_per_unit)
        t_arr = _as_horizon(t)

        def as_floats() -> tuple[np.ndarray, np.ndarray]:
            return self.p_alive_and_expected_purchases(t, x, tx / k, ta / k)

        whole = all(v.dtype.kind in "iu" for v in (x, tx, ta))
        if not (whole and t_arr.ndim == 0 and x.size > _GROUP_ABOVE and k > 0):
            return as_floats()
        if not (x.ndim == 1 and x.shape == tx.shape == ta.shape):
            return as_floats()
        # The checks of validate_frequency_recency_T, on integers: no finiteness or
        # whole-number passes; any failure is reported by the float call.
        if x.min() < 0 or tx.min() < 0 or np.any(tx > ta):
            return as_floats()
        if np.any((x == 0) != (tx == 0)):
            return as_floats()
        slots = int(ta.max()) + 1
        size = (int(x.max()) + 1) * slots
        if size > 4 * x.size:
            return as_floats()
        p, expected = np.empty(x.shape), np.empty(x.shape)
        key = np.multiply(x, slots, dtype=np.intp)
        key += ta
        used = np.flatnonzero(np.bincount(key, minlength=size))
        px = (used // slots).astype(float)
        p_t = (used % slots) / k
        tables, top = self._pair_tables(t_arr, px, p_t, used, size)
        # alpha + T and alpha + t_x for every day count (t_x <= T, so one table serves).
        alpha_at = np.arange(slots) / k
        alpha_at += self.alpha
        np.take(alpha_at, ta, out=p, mode="clip")
        p /= np.take(alpha_at, tx, out=expected, mode="clip")
        return _from_ratio(p, expected, tables, key, top)

    def _per_pair(
        self, t_arr: np.ndarray, px: np.ndarray, p_t: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """G, the log-odds' intercept and slope for each (x, T) pair, and an upper bound
        of d over every customer of these pairs (t_x >= 0 gives the largest ratio)."""
        r, alpha, a, b, s = self.r, self.alpha, self.a, self.b, self._shift
        g = beta_geometric_expectation(t_arr, r + px, alpha + p_t, a, b + px + s)
        slope = r + px
        with np.errstate(divide="ignore", invalid="ignore"):
            intercept = np.log(a) - np.log(b + px + s - 1.0)
        if s == 0:
            # BG/NBD: no repeat purchase, no chance to drop out.  d = -100 rather than -inf
            # gives P(alive) = 1 exactly, and every other d is >= ln(a/(b+x+s-1)) > -100.
            none = px == 0
            intercept[none], slope[none] = -100.0, 0.0
        with np.errstate(invalid="ignore"):
            top = intercept + slope * np.log((alpha + p_t) / alpha)
        return g, intercept, slope, float(np.max(top, initial=-np.inf))

    def _p_alive_and_expected_by_cell(
        self,
        t_arr: np.ndarray,
        t_x: np.ndarray,
        big_t: np.ndarray,
        key: np.ndarray,
        used: np.ndarray,
        px: np.ndarray,
        p_t: np.ndarray,
        size: int,
        p: np.ndarray,
        expected: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The per-pair values laid out in tables over the (x, T) key, so that each
        customer needs one gather per value and no pair numbering; written into p and
        expected (``expected`` is the scratch space until the last step)."""
        tables, top = self._pair_tables(t_arr, px, p_t, used, size)
        np.add(big_t, self.alpha, out=p)
        np.add(t_x, self.alpha, out=expected)
        p /= expected
        return _from_ratio(p, expected, tables, key, top)

    def _pair_tables(
        self, t_arr: np.ndarray, px: np.ndarray, p_t: np.ndarray, used: np.ndarray, size: int
    ) -> tuple[np.ndarray, float]:
        """G, intercept and slope of :meth:`_per_pair` laid out over the (x, T) key (rows
        0, 1, 2), and the bound of d over every customer."""
        g, intercept, slope, top = self._per_pair(t_arr, px, p_t)
        tables = np.zeros((3, size))
        tables[0, used], tables[1, used], tables[2, used] = g, intercept, slope
        return tables, top

    def expected_purchases_if_alive(self, t: object, frequency: object, T: object) -> np.ndarray:
        """E[purchases in (T, T+t] | alive at T, x, T] = G(t; r+x, alpha+T, a, b+x+s)."""
        t_arr = _as_horizon(t)
        x = np.asarray(frequency, dtype=float)
        big_t = np.asarray(T, dtype=float)
        if t_arr.ndim == 0 and x.size > _GROUP_ABOVE and x.shape == big_t.shape:
            # One horizon, many customers: G once per distinct (x, T) pair when the ages
            # take few values, else the per-frequency tables; both much faster than G
            # per customer.  The inputs are not validated here, and the grouping needs
            # whole non-negative frequencies and finite ages.
            pairs = None
            if x.min() >= 0 and np.all(x == np.floor(x)) and np.isfinite(big_t.sum()):
                pairs = _frequency_age_pairs(x, big_t)
            if pairs is not None:
                px, p_t, pair = pairs
                g = beta_geometric_expectation(
                    t_arr, self.r + px, self.alpha + p_t, self.a, self.b + px + self._shift
                )
                return np.take(g, pair)
            return self.expected_purchases_if_alive_over(t_arr, x, big_t)[0].reshape(x.shape)
        return beta_geometric_expectation(
            t_arr, self.r + x, self.alpha + big_t, self.a, self.b + x + self._shift
        )

    def expected_purchases_if_alive_over(
        self, times: object, frequency: object, T: object
    ) -> np.ndarray:
        """``expected_purchases_if_alive`` for every horizon in ``times`` (1-d) and every
        customer: shape (len(times), n).  Customers sharing a frequency share one table of
        G (see ``beta_geometric_expectation_table``), which makes CLV's monthly sums cheap.
        """
        horizons = np.ravel(_as_horizon(times))
        x = np.ravel(np.asarray(frequency, dtype=float))
        big_t = np.ravel(np.asarray(T, dtype=float))
        out = np.empty((horizons.size, x.size))
        # Sorted input (as ``unique_rows`` returns it) makes every frequency a contiguous
        # block of columns; otherwise sort, fill, and put the columns back.
        presorted = bool(np.all(x[1:] >= x[:-1]))
        order = np.arange(x.size) if presorted else np.argsort(x, kind="stable")
        xs, ts = x[order], big_t[order]
        target = out if presorted else np.empty_like(out)
        bounds = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1], True])
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            xv = float(xs[lo])
            target[:, lo:hi] = beta_geometric_expectation_table(
                horizons, self.r + xv, self.alpha + ts[lo:hi], self.a, self.b + xv + self._shift
            )
        if not presorted:
            out[:, order] = target
        return out

    def expected_purchases(
        self, t: object, frequency: object, recency: object, T: object
    ) -> np.ndarray:
        """E[purchases in (T, T+t] | x, t_x, T] = P(alive) * expected_purchases_if_alive."""
        return self.p_alive_and_expected_purchases(t, frequency, recency, T)[1]

    def expected_purchases_new(self, t: object) -> np.ndarray:
        """E[X(t)] for a customer who made the first purchase at time 0 (FHL 2005, eq. 7)."""
        t_arr = _as_horizon(t)
        if self._shift == 0:
            return beta_geometric_expectation(t_arr, self.r, self.alpha, self.a, self.b)
        share = self.b / (self.a + self.b)
        return share * beta_geometric_expectation(t_arr, self.r, self.alpha, self.a, self.b + 1)

    def log_likelihood_per_customer(
        self, frequency: object, recency: object, T: object
    ) -> np.ndarray:
        """ln L(r, alpha, a, b | x, t_x, T) for each customer."""
        x, t_x, big_t = validate_frequency_recency_T(frequency, recency, T)
        r, alpha, a, b, s = self.r, self.alpha, self.a, self.b, self._shift
        gln = special.gammaln
        value = (
            gln(r + x)
            - gln(r)
            + r * np.log(alpha)
            - (r + x) * np.log(alpha + big_t)
            + gln(b + x + s)
            - gln(a + b + x + s)
            - gln(b)
            + gln(a + b)
        )
        d = self._log_odds_dead(x, t_x, big_t)
        return value + softplus(d)


# Above this many customers, predictions for one horizon group customers by (x, T).
_GROUP_ABOVE = 10_000


def _p_alive_from_log_odds(
    d: np.ndarray,
    *,
    at_least_minus_100: bool = False,
    at_most_700: bool = False,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """1 / (1 + e**d), i.e. expit(-d), for d in [-inf, inf].

    numpy's vectorised exp is ~10x faster than scipy's expit, but only on ordinary
    arguments: -inf (BG/NBD's customers without repeat purchases) and underflowing results
    take a slow path.  So d is clipped to [-100, 700] first: below -100, e**d vanishes next
    to 1 and P(alive) is exactly 1; above 700 (where e**d would soon overflow) P(alive) is
    e**-d to double precision, computed for those rows alone.  Callers that know d >= -100
    skip the clipping (a pass over the data), callers that know d <= 700 the search for
    larger ones.  ``out`` (which may be d itself) receives the result when d is known
    to lie in [-100, 700].
    """
    d = np.asarray(d, dtype=float)
    if at_least_minus_100 and at_most_700 and out is not None:
        np.exp(d, out=out)
        out += 1.0
        return np.reciprocal(out, out=out)
    if at_least_minus_100:
        with np.errstate(over="ignore"):
            p = np.exp(d)
    else:
        p = np.clip(d, -100.0, 700.0, out=np.empty_like(d))
        np.exp(p, out=p)
    p += 1.0
    np.reciprocal(p, out=p)
    if at_most_700:
        return p
    far = d > 700.0
    if far.any():
        p[far] = np.exp(-d[far])
    return p


def _frequency_age_cells(
    x: np.ndarray, big_t: np.ndarray, slot: np.ndarray, scratch: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int] | None:
    """Customers keyed by (frequency, age) without sorting anything: (each customer's key,
    the keys in use, x and T of each key in use, the key range), or None when the ages do
    not fall into few exact slots (then ``_frequency_age_pairs`` decides).

    Ages in whole days measured in a unit of k days (days, or weeks as k = 7) are
    T = days / k: the number of slots per unit k is guessed from the distinct ages of a
    small systematic sample (the inverse of their smallest gap, rounded), slot =
    rint(T * k) and key = x * slots + slot.  Nothing relies on the guess: the keys are used
    only if slot / k == T for every customer, exactly, so a key's age is that of every
    customer in it (and the per-key values are theirs).
    """
    n = x.size
    sample = np.unique(big_t[:: max(1, n // 4096)])
    per_unit = float(np.rint(1.0 / np.diff(sample).min())) if sample.size > 1 else 1.0
    if not 1.0 <= per_unit <= n:
        return None
    slots = int(np.rint(float(big_t.max()) * per_unit)) + 1
    size = (float(x.max()) + 1.0) * slots
    if slots > n or size > 4.0 * n:
        return None
    np.multiply(big_t, per_unit, out=slot)
    np.rint(slot, out=slot)
    if not np.array_equal(np.divide(slot, per_unit, out=scratch), big_t):
        return None
    slot += np.multiply(x, float(slots), out=scratch)
    key = slot.astype(np.intp)
    used = np.flatnonzero(np.bincount(key, minlength=int(size)))
    return key, used, (used // slots).astype(float), (used % slots) / per_unit, int(size)


def _frequency_age_pairs(
    x: np.ndarray, big_t: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Customers grouped by (frequency, age): (x of each pair, T of each pair, each
    customer's pair index), or None when that would not pay (too many distinct ages, or
    ages not on a regular grid).

    Ages from order dates are whole days (in whatever unit): the distinct ages, sorted,
    sit on a grid of step h = their smallest gap, so slot = round((T - T_min) / h) numbers
    them without a search, and (x, slot) -> x * slots + slot is a small integer key that
    np.bincount groups in linear time (np.unique with return_inverse would sort a million
    keys).  The grid is used only if it is exact: every distinct age gets its own slot.
    """
    n = x.size
    ages = np.unique(big_t)
    if ages.size > n // 16:
        return None
    step = float(np.diff(ages).min()) if ages.size > 1 else 1.0
    slot_of_age = np.rint((ages - ages[0]) / step)
    slots = int(slot_of_age[-1]) + 1
    if slots > n or np.any(np.diff(slot_of_age) < 1):
        return None
    # The key's range, (largest frequency + 1) * slots, bounds bincount's memory; a few
    # very frequent buyers would stretch it, so then the distinct frequencies are numbered
    # (a sort, slower but rare).
    x_values, x_code = None, x
    if (float(x.max()) + 1.0) * slots > 4.0 * n:
        x_values, x_code = np.unique(x, return_inverse=True)
        if x_values.size * slots > 4 * n:
            return None
    key = big_t - ages[0]  # the same operations as slot_of_age's, so equal ages agree
    key /= step
    np.rint(key, out=key)
    key += x_code * slots
    key_i = key.astype(np.intp)
    used = np.flatnonzero(np.bincount(key_i))
    index = np.zeros(int(used[-1]) + 1, dtype=np.intp)
    index[used] = np.arange(used.size)
    age_at_slot = np.zeros(slots)
    age_at_slot[slot_of_age.astype(np.intp)] = ages
    pair_x = used // slots
    pair_x = pair_x.astype(float) if x_values is None else x_values[pair_x]
    return pair_x, age_at_slot[used % slots], np.take(index, key_i)


def _as_horizon(t: object) -> np.ndarray:
    t_arr = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(t_arr)) or np.any(t_arr < 0):
        raise ValueError("the horizon t must be finite and non-negative")
    return t_arr


@dataclass(frozen=True)
class BGNBDFit(_BetaGeometricFit):
    """Fitted BG/NBD model (Fader, Hardie & Lee 2005); see the module docstring."""

    _shift: ClassVar[int] = 0


@dataclass(frozen=True)
class MBGNBDFit(_BetaGeometricFit):
    """Fitted modified BG/NBD model (Batislam, Denizel & Filiztekin 2007)."""

    _shift: ClassVar[int] = 1


def _prepare(
    frequency: object, recency: object, T: object, weights: object
) -> tuple[_CustomerRows, float, float]:
    """Rows to fit, customer count, and the time scale the rows were divided by."""
    x, t_x, big_t = validate_frequency_recency_T(frequency, recency, T)
    x, t_x, big_t = (np.ravel(v) for v in (x, t_x, big_t))
    scale = power_of_two_scale(big_t)
    t_x, big_t = t_x / scale, big_t / scale
    if weights is None:
        w = np.ones(x.size)
    else:
        w = np.broadcast_to(as_float_array(weights, "weights"), x.shape).astype(float)
        if np.any(w < 0):
            raise ValueError("weights must be non-negative")
    if x.size == 0 or w.sum() <= 0:
        raise ValueError("at least one customer is needed to fit the model")
    if np.all(big_t[w > 0] <= 0):
        raise ValueError("at least one customer must have T > 0")
    return _CustomerRows.build(x, t_x, big_t, w), float(w.sum()), scale


def _whole(n: float) -> float:
    return int(round(n)) if abs(n - round(n)) < 1e-9 else n


def _fit(
    cls: type[_BetaGeometricFit],
    frequency: object,
    recency: object,
    T: object,
    weights: object,
    standard_errors: bool,
) -> _BetaGeometricFit:
    rows, n, scale = _prepare(frequency, recency, T, weights)
    sample = rows.systematic_subsample()
    result = maximize_log_likelihood(
        _log_likelihood(rows, cls._shift),
        _start(rows),
        total_weight=n,
        standard_errors=standard_errors,
        subsample=None if sample is None else (_log_likelihood(sample[0], cls._shift), sample[1]),
    )
    # Back to the caller's time unit: alpha is a time, and each repeat purchase's density
    # carries one 1/time factor, so LL(unit) = LL(scaled) - sum(w x) ln(scale).
    log_likelihood = result.log_likelihood - dot(rows.w, rows.x) * np.log(scale)
    aic, bic = information_criteria(log_likelihood, 4, n)
    errors = None
    if result.standard_errors is not None:
        se = result.standard_errors * np.array([1.0, scale, 1.0, 1.0])
        errors = dict(zip(_PARAM_NAMES, (float(v) for v in se), strict=True))
    r, alpha, a, b = (float(v) for v in result.params)
    alpha *= scale
    return cls(
        r=r,
        alpha=alpha,
        a=a,
        b=b,
        log_likelihood=float(log_likelihood),
        aic=aic,
        bic=bic,
        n_customers=_whole(n),
        standard_errors=errors,
        converged=result.converged,
    )


def fit_bgnbd(
    frequency: object,
    recency: object,
    T: object,
    *,
    weights: object = None,
    standard_errors: bool = False,
) -> BGNBDFit:
    """Fit the BG/NBD model by maximum likelihood (see the module docstring).

    ``frequency`` = repeat purchases x, ``recency`` = time of the last repeat purchase t_x
    and ``T`` = time since the first purchase, all in the same unit; ``weights`` are
    optional customer counts per row.  Identical rows are collapsed before fitting.
    """
    fit = _fit(BGNBDFit, frequency, recency, T, weights, standard_errors)
    assert isinstance(fit, BGNBDFit)  # noqa: S101 - narrows the type for checkers
    return fit


def fit_mbgnbd(
    frequency: object,
    recency: object,
    T: object,
    *,
    weights: object = None,
    standard_errors: bool = False,
) -> MBGNBDFit:
    """Fit the modified BG/NBD model of Batislam et al. (2007) by maximum likelihood."""
    fit = _fit(MBGNBDFit, frequency, recency, T, weights, standard_errors)
    assert isinstance(fit, MBGNBDFit)  # noqa: S101 - narrows the type for checkers
    return fit


def _from_ratio(
    d: np.ndarray, scratch: np.ndarray, tables: np.ndarray, key: np.ndarray, top: float
) -> tuple[np.ndarray, np.ndarray]:
    """P(alive) and expected purchases from d = (alpha + T) / (alpha + t_x) per customer
    and the per-pair tables of ``_pair_tables``: d becomes P(alive) in place, ``scratch``
    the expected purchases (it is the work space until the last step)."""
    np.log(d, out=d)
    d *= np.take(tables[2], key, out=scratch, mode="clip")
    d += np.take(tables[1], key, out=scratch, mode="clip")
    # d >= -100 by construction; when no pair's bound passes 700 (ln of the largest
    # ratio, t_x = 0), the search for overflowing d is skipped as well.
    p = _p_alive_from_log_odds(d, at_least_minus_100=True, at_most_700=top <= 700.0, out=d)
    np.take(tables[0], key, out=scratch, mode="clip")
    scratch *= p
    return p, scratch
