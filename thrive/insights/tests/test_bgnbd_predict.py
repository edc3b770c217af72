"""P(alive) and expected purchases for a whole customer base in one call (the scoring path).

``p_alive_and_expected_purchases`` computes, for many customers whose ages are whole days,
everything that depends on (frequency, age) once per distinct pair.  These tests hold it to
the papers' formulas by hand and to the straightforward per-customer formula.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from thrive.insights._special import beta_geometric_expectation
from thrive.insights.bgnbd import (
    BGNBDFit,
    MBGNBDFit,
    _frequency_age_cells,
    _frequency_age_pairs,
)

# Fader, Hardie & Lee (2005), CDNOW, weeks.
CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
HORIZON = 90.0 / 7.0


def _fit(cls: type[BGNBDFit] | type[MBGNBDFit], **params: float) -> BGNBDFit | MBGNBDFit:
    values = {**CDNOW, **params}
    return cls(**values, log_likelihood=math.nan, aic=math.nan, bic=math.nan, n_customers=0)


def _straightforward(
    fit: BGNBDFit | MBGNBDFit, t: float, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Customer by customer, nothing shared: eq. 11 with scipy's expit, and G in closed form."""
    r, alpha, a, b, s = fit.r, fit.alpha, fit.a, fit.b, fit._shift
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.log(a / (b + x + s - 1.0)) + (r + x) * np.log((alpha + big_t) / (alpha + t_x))
    p = np.where((x == 0) & (s == 0), 1.0, special.expit(-d))
    g = beta_geometric_expectation(t, r + x, alpha + big_t, a, b + x + s)
    return p, p * g


def _customers(n: int, seed: int, *, days: bool = True) -> tuple[np.ndarray, ...]:
    """A customer base acquired over two years; ages in whole days (weeks) or continuous."""
    rng = np.random.default_rng(seed)
    age_days = rng.integers(0, 731, n).astype(float)
    if not days:
        age_days += rng.random(n)
    x = np.where(rng.random(n) < 0.55, 0, rng.geometric(0.15, n)).astype(float)
    recency_days = np.where(x > 0, np.ceil(rng.random(n) * age_days), 0.0)
    # Repeat purchases come at least a day after the first one.
    x[(x > 0) & (recency_days == 0)] = 0
    return x, recency_days / 7.0, age_days / 7.0


def test_the_papers_example_customer_by_hand() -> None:
    # FHL 2005, section 6: x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in 39 weeks.
    fit = _fit(BGNBDFit)
    x, t_x, big_t, t = 2.0, 30.43, 38.86, 39.0
    r, alpha, a, b = CDNOW.values()
    p_by_hand = 1.0 / (1.0 + a / (b + x - 1.0) * ((alpha + big_t) / (alpha + t_x)) ** (r + x))
    z = t / (alpha + big_t + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1.0, z)
    shrink = ((alpha + big_t) / (alpha + big_t + t)) ** (r + x)
    eq10 = (a + b + x - 1.0) / (a - 1.0) * (1.0 - shrink * hyp)
    p, expected = fit.p_alive_and_expected_purchases(t, [x], [t_x], [big_t])
    assert p[0] == pytest.approx(p_by_hand, rel=1e-12)
    assert expected[0] == pytest.approx(eq10 * p_by_hand, rel=1e-10)
    assert round(float(expected[0]), 3) == 1.226


def test_edge_customers_by_hand() -> None:
    fit = _fit(BGNBDFit)
    r, alpha, a, b = CDNOW.values()
    x = np.array([0.0, 0.0, 3.0, 5.0])
    t_x = np.array([0.0, 0.0, 20.0, 1.0 / 7.0])
    big_t = np.array([0.0, 50.0, 20.0, 1.0 / 7.0])
    p, expected = fit.p_alive_and_expected_purchases(HORIZON, x, t_x, big_t)
    # No repeat purchase: alive for sure in BG/NBD, and expects G(t; r, alpha + T, a, b).
    assert p[:2].tolist() == [1.0, 1.0]
    for i in (0, 1):
        g = beta_geometric_expectation(HORIZON, r, alpha + big_t[i], a, b)
        assert expected[i] == pytest.approx(float(g), rel=1e-12)
    # Last purchase at T: the time factor is 1, so P(alive) = 1 / (1 + a / (b + x - 1)).
    for i in (2, 3):
        assert p[i] == pytest.approx(1.0 / (1.0 + a / (b + x[i] - 1.0)), rel=1e-14)
    # MBG/NBD: a customer without repeat purchases may have left after the first one.
    mbg = _fit(MBGNBDFit)
    p0, _ = mbg.p_alive_and_expected_purchases(HORIZON, [0.0], [0.0], [10.0])
    assert p0[0] == pytest.approx(1.0 / (1.0 + a / b * ((alpha + 10.0) / alpha) ** r), rel=1e-14)


@pytest.mark.parametrize("cls", [BGNBDFit, MBGNBDFit])
def test_a_large_base_grouped_by_frequency_and_age_equals_the_straightforward_formula(
    cls: type[BGNBDFit] | type[MBGNBDFit],
) -> None:
    x, t_x, big_t = _customers(40_000, seed=7)
    # Edge customers: ages near 0, last purchase at T, one very frequent buyer, long gaps.
    x[:4] = [0.0, 1.0, 400.0, 60.0]
    t_x[:4] = [0.0, 1 / 7, 104.0, 1 / 7]
    big_t[:4] = [0.0, 1 / 7, 104.0, 104.0]
    assert _frequency_age_pairs(x, big_t) is not None  # the grouped path is taken
    fit = _fit(cls)
    p, expected = fit.p_alive_and_expected_purchases(HORIZON, x, t_x, big_t)
    p_ref, e_ref = _straightforward(fit, HORIZON, x, t_x, big_t)
    np.testing.assert_allclose(p, p_ref, rtol=1e-12, atol=0)
    np.testing.assert_allclose(expected, e_ref, rtol=1e-12, atol=0)
    # The separate methods give the same values.
    np.testing.assert_allclose(fit.p_alive(x, t_x, big_t), p, rtol=1e-13, atol=0)
    np.testing.assert_allclose(fit.expected_purchases(HORIZON, x, t_x, big_t), expected, rtol=1e-13)


def test_very_frequent_buyers_keep_the_grouping_and_extreme_log_odds_stay_exact() -> None:
    x, t_x, big_t = _customers(20_000, seed=11)
    # A few whales stretch the frequency range far beyond the grid's key budget.
    x[:3], t_x[:3], big_t[:3] = [50_000.0, 5_000.0, 2_000.0], [1.0, 50.0, 104.0], [104.0] * 3
    pairs = _frequency_age_pairs(x, big_t)
    assert pairs is not None
    assert set(pairs[0][pairs[2][:3]]) == {50_000.0, 5_000.0, 2_000.0}
    fit = _fit(BGNBDFit)
    p, expected = fit.p_alive_and_expected_purchases(HORIZON, x, t_x, big_t)
    p_ref, e_ref = _straightforward(fit, HORIZON, x, t_x, big_t)
    # The first whale's last purchase was long ago: log-odds of dying far above 700, where
    # e**d overflows; P(alive) is then e**-d (a denormal here), as expit gives it.
    assert p_ref[0] < 1e-300
    np.testing.assert_allclose(p, p_ref, rtol=1e-12, atol=0)
    np.testing.assert_allclose(expected, e_ref, rtol=1e-12, atol=0)


def test_ages_off_a_grid_fall_back_to_per_frequency_tables_with_the_same_values() -> None:
    x, t_x, big_t = _customers(20_000, seed=3, days=False)
    t_x = np.minimum(t_x, big_t)
    assert _frequency_age_pairs(x, big_t) is None
    fit = _fit(BGNBDFit)
    p, expected = fit.p_alive_and_expected_purchases(HORIZON, x, t_x, big_t)
    p_ref, e_ref = _straightforward(fit, HORIZON, x, t_x, big_t)
    np.testing.assert_allclose(p, p_ref, rtol=1e-12, atol=0)
    np.testing.assert_allclose(expected, e_ref, rtol=1e-11, atol=0)


def test_grouping_by_frequency_and_age_maps_every_customer_to_its_own_pair() -> None:
    x = np.array([0.0, 2.0, 0.0, 2.0, 5.0, 2.0] * 2000)
    big_t = np.array([1.0, 1.0, 3.0, 1.0, 3.0, 2.0] * 2000) / 7.0
    pairs = _frequency_age_pairs(x, big_t)
    assert pairs is not None
    pair_x, pair_t, pair = pairs
    assert pair_x.size == 5
    np.testing.assert_array_equal(pair_x[pair], x)
    np.testing.assert_array_equal(pair_t[pair], big_t)


def test_bad_summaries_are_still_rejected_with_the_row_named() -> None:
    fit = _fit(BGNBDFit)
    x, t_x, big_t = _customers(20_000, seed=5)
    bad = x.copy()
    bad[17] = 1.5
    with pytest.raises(ValueError, match="whole number"):
        fit.p_alive_and_expected_purchases(HORIZON, bad, t_x, big_t)
    late = t_x.copy()
    late[3] = big_t[3] + 1.0
    with pytest.raises(ValueError, match=r"recency must lie in \[0, T\]"):
        fit.p_alive_and_expected_purchases(HORIZON, x, late, big_t)
    i = int(np.flatnonzero(x > 0)[0])
    zero = t_x.copy()
    zero[i] = 0.0
    with pytest.raises(ValueError, match=f"the first is row {i}"):
        fit.p_alive_and_expected_purchases(HORIZON, x, zero, big_t)
    missing = big_t.copy()
    missing[9] = np.nan
    with pytest.raises(ValueError, match="finite"):
        fit.p_alive_and_expected_purchases(HORIZON, x, t_x, missing)


def test_expected_purchases_if_alive_groups_only_whole_frequencies() -> None:
    # This method does not validate its inputs: a fractional frequency (a weighted or
    # averaged summary) must not be folded into a neighbouring pair.
    x, _, big_t = _customers(20_000, seed=13)
    x[::3] += 0.5
    fit = _fit(BGNBDFit)
    got = fit.expected_purchases_if_alive(HORIZON, x, big_t)
    want = beta_geometric_expectation(HORIZON, fit.r + x, fit.alpha + big_t, fit.a, fit.b + x)
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=0)


def test_keys_without_sorting_map_every_customer_to_its_frequency_and_age() -> None:
    x, _, big_t = _customers(20_000, seed=17)
    work = np.empty((2, x.size))
    cells = _frequency_age_cells(x, big_t, work[0], work[1])
    assert cells is not None
    key, used, cell_x, cell_t, size = cells
    index = np.full(size, -1)
    index[used] = np.arange(used.size)
    assert index[key].min() >= 0  # every customer's key is in use
    np.testing.assert_array_equal(cell_x[index[key]], x)
    np.testing.assert_array_equal(cell_t[index[key]], big_t)
    # Ages a hair off the day grid (a float summary's rounding) are not keyed.
    nudged = big_t.copy()
    nudged[123] = np.nextafter(nudged[123], np.inf)
    assert _frequency_age_cells(x, nudged, work[0], work[1]) is None
    # Continuous ages are not whole days.
    _, _, continuous = _customers(20_000, seed=17, days=False)
    assert _frequency_age_cells(x, continuous, work[0], work[1]) is None


@pytest.mark.parametrize("cls", [BGNBDFit, MBGNBDFit])
def test_whole_day_counts_give_exactly_the_values_of_the_weeks(
    cls: type[BGNBDFit] | type[MBGNBDFit],
) -> None:
    n = 200_000
    x, t_x, big_t = _customers(n, seed=19)
    # Edge customers: first seen on the last day, last purchase on the last day, a frequent
    # buyer whose log-odds of dying (~717) pass ln of the largest double, where P(alive)
    # is e**-d, a denormal (the overflow search must stay on), long gaps.
    x[:4], t_x[:4], big_t[:4] = [0.0, 1.0, 860.0, 60.0], [0, 1, 1, 1], [0, 1, 43, 728]
    assert (860 + 1) * (730 + 1) <= 4 * n  # within the key budget: the tables are used
    t_x[:4] /= 7.0
    big_t[:4] /= 7.0
    frequency = x.astype(np.int64)
    recency_days = np.rint(t_x * 7.0).astype(np.int64)
    age_days = np.rint(big_t * 7.0).astype(np.int64)
    fit = _fit(cls)
    p, expected = fit.p_alive_and_expected_purchases_days(
        HORIZON, frequency, recency_days, age_days, days_per_unit=7.0
    )
    p_weeks, e_weeks = fit.p_alive_and_expected_purchases(HORIZON, x, t_x, big_t)
    np.testing.assert_array_equal(p, p_weeks)
    np.testing.assert_array_equal(expected, e_weeks)
    p_ref, e_ref = _straightforward(fit, HORIZON, x, t_x, big_t)
    r, alpha, a, b, s = fit.r, fit.alpha, fit.a, fit.b, fit._shift
    d = math.log(a / (b + 860 + s - 1)) + (r + 860) * math.log((alpha + 43 / 7) / (alpha + 1 / 7))
    assert 709.8 < d < 745  # expit(-d) underflows to 0 here; e**-d does not
    assert p[2] == pytest.approx(math.exp(-d), rel=1e-9, abs=0)
    np.testing.assert_allclose(p[3:], p_ref[3:], rtol=1e-12, atol=0)
    np.testing.assert_allclose(expected[3:], e_ref[3:], rtol=1e-12, atol=0)
    np.testing.assert_array_equal(p[:2], p_ref[:2])
    # Day counts as floats take the float call: the same values again.
    p_f, e_f = fit.p_alive_and_expected_purchases_days(
        HORIZON, x, t_x * 7.0, big_t * 7.0, days_per_unit=7.0
    )
    np.testing.assert_allclose(p_f, p, rtol=1e-13, atol=0)
    np.testing.assert_allclose(e_f, expected, rtol=1e-13, atol=0)


def test_bad_day_counts_are_rejected_as_the_float_call_words_it() -> None:
    fit = _fit(BGNBDFit)
    x, t_x, big_t = _customers(20_000, seed=23)
    frequency = x.astype(np.int64)
    recency_days = np.rint(t_x * 7.0).astype(np.int64)
    age_days = np.rint(big_t * 7.0).astype(np.int64)

    def days(f: np.ndarray, r: np.ndarray, a: np.ndarray) -> object:
        return fit.p_alive_and_expected_purchases_days(HORIZON, f, r, a, days_per_unit=7.0)

    negative = frequency.copy()
    negative[5] = -1
    with pytest.raises(ValueError, match="whole number"):
        days(negative, recency_days, age_days)
    late = recency_days.copy()
    late[3] = age_days[3] + 1
    with pytest.raises(ValueError, match=r"recency must lie in \[0, T\]"):
        days(frequency, late, age_days)
    i = int(np.flatnonzero(frequency > 0)[0])
    zero = recency_days.copy()
    zero[i] = 0
    with pytest.raises(ValueError, match=f"the first is row {i}"):
        days(frequency, zero, age_days)
