"""Tests for thrive.insights.basket: hand examples, brute force, input forms, edge cases."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.insights import basket
from thrive.insights.basket import association_rules, basket_rules, frequent_itemsets


def brute_itemsets(x: np.ndarray, min_support: float) -> dict[frozenset[int], int]:
    """Every itemset of the dense 0/1 matrix with support >= min_support (count > 0)."""
    n, p = x.shape
    out: dict[frozenset[int], int] = {}
    for k in range(1, p + 1):
        for combo in itertools.combinations(range(p), k):
            c = int(x[:, list(combo)].all(axis=1).sum())
            if c > 0 and c / n >= min_support:
                out[frozenset(combo)] = c
    return out


def brute_rules(
    counts: dict[frozenset[int], int], n: int
) -> dict[tuple[frozenset[int], frozenset[int]], dict[str, float]]:
    out = {}
    for items, c in counts.items():
        for k in range(1, len(items)):
            for ant in itertools.combinations(sorted(items), k):
                a = frozenset(ant)
                cons = items - a
                s_ac, s_a, s_c = c / n, counts[a] / n, counts[cons] / n
                conf = s_ac / s_a
                out[(a, cons)] = {
                    "support": s_ac,
                    "confidence": conf,
                    "lift": conf / s_c,
                    "leverage": s_ac - s_a * s_c,
                    "conviction": math.inf if conf == 1 else (1 - s_c) / (1 - conf),
                }
    return out


def assert_rules_match(rules: basket.BasketRules, expected: dict) -> None:
    got = rules.to_dict()
    assert got.keys() == expected.keys()
    for key, metrics in expected.items():
        for name, value in metrics.items():
            assert got[key][name] == pytest.approx(value, rel=1e-12, abs=1e-15), (key, name)


def test_hand_example() -> None:
    # Orders: {a,b}, {a,b,c}, {a,c}, {b}; N = 4, min support 0.5 -> count >= 2.
    # a:3 b:3 c:2 ab:2 ac:2 bc:1 (out) abc:1 (out).
    orders = np.array([0, 0, 1, 1, 1, 2, 2, 3])
    products = np.array(["a", "b", "a", "b", "c", "a", "c", "b"])
    fi = frequent_itemsets(orders, products, min_support=0.5)
    assert fi.to_dict() == {
        frozenset("a"): 0.75,
        frozenset("b"): 0.75,
        frozenset("c"): 0.5,
        frozenset("ab"): 0.5,
        frozenset("ac"): 0.5,
    }
    rules = association_rules(fi, metric="confidence", min_threshold=0.0).to_dict()
    ab = rules[(frozenset("a"), frozenset("b"))]
    # confidence 0.5/0.75 = 2/3; lift (2/3)/0.75 = 8/9; leverage 0.5 - 0.75² = -1/16;
    # conviction (1 - 0.75)/(1 - 2/3) = 3/4.
    assert ab["confidence"] == pytest.approx(2 / 3)
    assert ab["lift"] == pytest.approx(8 / 9)
    assert ab["leverage"] == pytest.approx(-1 / 16)
    assert ab["conviction"] == pytest.approx(3 / 4)
    # c -> a: every order with c has a -> confidence 1, conviction inf, lift 1/0.75.
    ca = rules[(frozenset("c"), frozenset("a"))]
    assert ca["confidence"] == 1.0
    assert ca["conviction"] == math.inf
    assert ca["lift"] == pytest.approx(4 / 3)
    assert len(rules) == 4


def test_threshold_is_inclusive_and_metric_filter() -> None:
    # 10 orders, item 0 in exactly 3 -> support 0.3 is kept at min_support 0.3.
    x = np.zeros((10, 2), dtype=bool)
    x[:3, 0] = True
    x[:, 1] = True
    fi = frequent_itemsets(x, min_support=0.3)
    assert fi.to_dict() == {frozenset([0]): 0.3, frozenset([1]): 1.0, frozenset([0, 1]): 0.3}
    assert frequent_itemsets(x, min_support=0.31).to_dict() == {frozenset([1]): 1.0}
    # rules: 0->1 conf 1 lift 1; 1->0 conf 0.3 lift 1
    r = association_rules(fi, metric="confidence", min_threshold=0.5)
    assert [r.rule(i) for i in range(len(r))] == [(frozenset([0]), frozenset([1]))]
    r = association_rules(fi, metric="lift", min_threshold=1.0)
    assert len(r) == 2
    r = association_rules(fi, metric="leverage", min_threshold=0.01)
    assert len(r) == 0  # independent: leverage 0.3 - 0.3*1 = 0


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    p=st.integers(1, 7),
    density=st.floats(0.05, 0.95),
    min_support=st.floats(0.02, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_matches_brute_force(n: int, p: int, density: float, min_support: float, seed: int) -> None:
    x = np.random.default_rng(seed).random((n, p)) < density
    expected = brute_itemsets(x, min_support)
    fi = frequent_itemsets(x, min_support=min_support)
    got = {frozenset(fi.itemset(i)): int(fi.counts[i]) for i in range(len(fi))}
    assert got == expected
    assert np.all(fi.support == fi.counts / n)
    assert_rules_match(
        association_rules(fi, metric="support", min_threshold=0.0), brute_rules(expected, n)
    )


def test_large_blocks_and_deep_levels_match_brute_force() -> None:
    # > 16384 orders (several row blocks, a partial last bitset word) and correlated
    # products so itemsets up to size 5+ are frequent; brute force over 9 products.
    rng = np.random.default_rng(7)
    n, p = 40_001, 9
    base = rng.random((n, 1)) < 0.4
    x = (rng.random((n, p)) < 0.15) | (base & (rng.random((n, p)) < 0.7))
    expected = brute_itemsets(x, 0.02)
    assert max(len(s) for s in expected) >= 5
    o, q = np.nonzero(x)
    fi = frequent_itemsets(o, q, min_support=0.02, n_orders=n)  # some orders are empty
    got = {frozenset(fi.itemset(i)): int(fi.counts[i]) for i in range(len(fi))}
    assert got == expected
    assert_rules_match(
        association_rules(fi, metric="confidence", min_threshold=0.0), brute_rules(expected, n)
    )


def test_low_memory_fallback_gives_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    base = rng.random((5000, 1)) < 0.5
    x = (rng.random((5000, 8)) < 0.1) | (base & (rng.random((5000, 8)) < 0.6))
    normal = frequent_itemsets(x, min_support=0.03).to_dict()
    monkeypatch.setattr(basket, "_PREFIX_BITS_BUDGET", 0)  # forces recomputed bitsets
    assert frequent_itemsets(x, min_support=0.03).to_dict() == normal
    assert max(len(s) for s in normal) >= 4


def test_support_threshold_compares_reported_support() -> None:
    # 0.07 * 100 rounds to 7.000000000000001; 7 of 100 orders still have support 0.07.
    x = np.zeros((100, 1), dtype=bool)
    x[:7, 0] = True
    assert frequent_itemsets(x, min_support=0.07).to_dict() == {frozenset([0]): 0.07}
    assert frequent_itemsets(x, min_support=0.0700001).to_dict() == {}
    assert basket._min_count(0.01, 100_000) == 1000
    assert basket._min_count(1e-9, 10) == 1


def test_sparse_quantities_count_as_bought_and_input_is_not_modified() -> None:
    m = sp.csr_array(np.array([[0.5, 2.0], [0.0, 3.0]]))
    before = m.data.copy()
    fi = frequent_itemsets(m, min_support=0.5)
    assert fi.to_dict() == {frozenset([0]): 0.5, frozenset([1]): 1.0, frozenset([0, 1]): 0.5}
    assert np.array_equal(m.data, before)


def test_input_forms_agree_and_duplicates_are_ignored() -> None:
    rng = np.random.default_rng(11)
    x = rng.random((300, 12)) < 0.3
    o, q = np.nonzero(x)
    ref = frequent_itemsets(x, min_support=0.05).to_dict()
    assert frequent_itemsets(sp.csr_array(x.astype(np.int8)), min_support=0.05).to_dict() == ref
    assert frequent_itemsets(sp.csc_matrix(x), min_support=0.05).to_dict() == ref
    # the same lines twice, shuffled, are still one product per order
    perm = rng.permutation(2 * o.size)
    oo, qq = np.concatenate([o, o])[perm], np.concatenate([q, q])[perm]
    assert frequent_itemsets(oo, qq, min_support=0.05, n_orders=300).to_dict() == ref
    # explicit zeros in a sparse matrix are not purchases
    m = sp.csr_array((np.zeros(3), ([0, 1, 2], [0, 0, 0])), shape=(3, 1))
    assert frequent_itemsets(m, min_support=0.1).to_dict() == {}


def test_labels_sparse_ids_and_empty_orders() -> None:
    # order ids far apart, product ids are large ints; two extra empty orders
    orders = np.array([10, 10, 500, 500, 9000])
    products = np.array([1_000_000, 7, 7, 1_000_000, 7])
    fi = frequent_itemsets(orders, products, min_support=0.4, n_orders=5)
    # counts: 7 in 3 orders (0.6), 1e6 in 2 (0.4), pair in 2 (0.4)
    assert fi.to_dict() == {
        frozenset([7]): 0.6,
        frozenset([1_000_000]): 0.4,
        frozenset([7, 1_000_000]): 0.4,
    }
    with pytest.raises(ValueError, match="n_orders"):
        frequent_itemsets(orders, products, min_support=0.4, n_orders=2)


def test_max_len_limits_itemsets() -> None:
    x = np.ones((5, 4), dtype=bool)
    fi = frequent_itemsets(x, min_support=0.5, max_len=2)
    assert fi.lengths.max() == 2
    assert len(fi) == 4 + 6
    assert len(frequent_itemsets(x, min_support=0.5)) == 15


def test_dict_lookup_path_for_many_products() -> None:
    # 3000 singleton products make (n_products+1)^6 overflow int64 keys, so the rule
    # lookup falls back to a dictionary; results must still equal brute force.
    n_noise = 3000
    orders = [np.repeat(np.arange(20), 6), np.arange(20, 20 + n_noise)]
    products = [np.tile(np.arange(6), 20), np.arange(6, 6 + n_noise)]
    fi = frequent_itemsets(np.concatenate(orders), np.concatenate(products), min_support=0.005)
    assert fi.lengths.max() == 6 and len(fi) == 63
    counts = {frozenset(fi.itemset(i)): int(fi.counts[i]) for i in range(len(fi))}
    assert_rules_match(
        association_rules(fi, metric="confidence", min_threshold=0.0),
        brute_rules(counts, fi.n_orders),
    )


def test_basket_rules_convenience_and_empty_results() -> None:
    x = np.eye(4, dtype=bool)  # nothing bought together
    r = basket_rules(x, min_support=0.25, min_threshold=0.0)
    assert len(r) == 0
    assert r.antecedents.shape[0] == 0
    fi = frequent_itemsets(x, min_support=0.5)
    assert len(fi) == 0
    assert len(association_rules(fi)) == 0


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5, float("nan")])
def test_invalid_support_raises(bad: float) -> None:
    with pytest.raises(ValueError, match="min_support"):
        frequent_itemsets(np.ones((2, 2)), min_support=bad)


def test_empty_and_mismatched_inputs_raise() -> None:
    with pytest.raises(ValueError, match="no order lines"):
        frequent_itemsets(np.array([], dtype=int), np.array([], dtype=int), min_support=0.1)
    with pytest.raises(ValueError, match="same length"):
        frequent_itemsets(np.array([0, 1]), np.array([0]), min_support=0.1)
    with pytest.raises(ValueError, match="no orders"):
        frequent_itemsets(np.zeros((0, 3)), min_support=0.1)
    with pytest.raises(ValueError, match="metric"):
        association_rules(frequent_itemsets(np.ones((2, 2)), min_support=0.5), metric="zhang")


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), min_support=st.floats(0.05, 0.5))
def test_rule_metrics_are_within_their_ranges(seed: int, min_support: float) -> None:
    x = np.random.default_rng(seed).random((60, 6)) < 0.5
    r = association_rules(frequent_itemsets(x, min_support=min_support), min_threshold=0.0)
    assert np.all((r.confidence > 0) & (r.confidence <= 1))
    assert np.all(r.lift > 0) and np.all(np.isfinite(r.lift))
    assert np.all(np.abs(r.leverage) <= 0.25)
    assert not np.any(np.isnan(r.conviction))
    assert np.all(np.isinf(r.conviction) == (r.confidence == 1.0))
    assert np.all(r.support <= np.minimum(r.antecedent_support, r.consequent_support))


def test_twenty_products_in_every_order_stop_at_the_work_bounds_and_say_so() -> None:
    # 2**20 - 1 itemsets and about 3.5 billion rules without bounds (killed for memory).
    orders = np.repeat(np.arange(30), 20)
    products = np.tile(np.arange(20), 30)
    fi = frequent_itemsets(orders, products, min_support=0.5)
    # Whole levels up to 7 products: 20 + 190 + 1,140 + 4,845 + 15,504 + 38,760 + 77,520.
    assert fi.cut and fi.cut_at_len == 8
    assert len(fi) == 137_979
    rules = association_rules(fi, metric="confidence", min_threshold=0.1, max_rules=10_000)
    assert rules.cut
    assert len(rules) <= 10_000
    # Every itemset of k products allows 2**k - 2 rules.
    assert rules.candidates == sum(math.comb(20, k) * (2**k - 2) for k in range(2, 8))
    assert rules.itemsets_left_out > 0
    # Pairs first (all equally frequent, shorter first): 190 pairs x 2 rules all fit.
    assert rules.itemsets_used >= 190
    pairs_only = association_rules(fi, metric="confidence", min_threshold=0.1, max_len=2)
    assert not pairs_only.cut and len(pairs_only) == 380
