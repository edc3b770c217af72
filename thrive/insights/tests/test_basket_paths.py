"""The basket miner's counting paths (pairs enumerated per order or by a sparse product,
deeper levels from stored or rebuilt bitsets) against hand counts and brute force, and
its bounds on dense data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.insights import basket
from thrive.insights.basket import association_rules, frequent_itemsets
from thrive.insights.tests.test_basket import assert_rules_match, brute_itemsets, brute_rules


def _found(fi: basket.FrequentItemsets) -> dict[frozenset[int], int]:
    return {frozenset(int(i) for i in fi.itemset(i)): int(fi.counts[i]) for i in range(len(fi))}


def test_five_hand_counted_baskets_give_the_supports_confidence_and_lift_worked_out() -> None:
    # Orders (a duplicate line in order 1 must not count twice):
    #   1: bread milk milk   2: bread butter   3: bread milk butter   4: milk   5: bread milk
    # bread 4/5, milk 4/5, butter 2/5; bread+milk 3/5, bread+butter 2/5, milk+butter 1/5,
    # all three 1/5.  At support 0.4: bread→milk confidence 3/4, lift 0.75 / 0.8 = 0.9375;
    # butter→bread confidence 1, lift 1 / 0.8 = 1.25; bread→butter 2/4, lift 0.5/0.4 = 1.25.
    orders = np.array([1, 1, 1, 2, 2, 3, 3, 3, 4, 5, 5])
    products = np.array(["bread", "milk", "milk", "bread", "butter", "bread", "milk", "butter",
                         "milk", "bread", "milk"])  # fmt: skip
    fi = frequent_itemsets(orders, products, min_support=0.4)
    assert fi.to_dict() == {
        frozenset({"bread"}): 0.8,
        frozenset({"milk"}): 0.8,
        frozenset({"butter"}): 0.4,
        frozenset({"bread", "milk"}): 0.6,
        frozenset({"bread", "butter"}): 0.4,
    }
    rules = association_rules(fi, metric="confidence", min_threshold=0.0).to_dict()
    bread, milk, butter = frozenset({"bread"}), frozenset({"milk"}), frozenset({"butter"})
    assert rules[(bread, milk)]["confidence"] == pytest.approx(0.75)
    assert rules[(bread, milk)]["lift"] == pytest.approx(0.9375)
    assert rules[(butter, bread)]["confidence"] == 1.0
    assert rules[(butter, bread)]["lift"] == pytest.approx(1.25)
    assert rules[(butter, bread)]["conviction"] == np.inf
    assert rules[(bread, butter)]["confidence"] == pytest.approx(0.5)
    assert rules[(bread, butter)]["lift"] == pytest.approx(1.25)
    assert rules[(bread, butter)]["leverage"] == pytest.approx(0.4 - 0.8 * 0.4)
    assert len(rules) == 4


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 300),
    p=st.integers(2, 8),
    density=st.floats(0.05, 0.9),
    min_support=st.floats(0.01, 0.6),
    seed=st.integers(0, 2**32 - 1),
    path=st.sampled_from(["table", "table in tiny chunks", "sparse product", "rebuilt bits"]),
)
def test_every_counting_path_matches_brute_force(
    n: int, p: int, density: float, min_support: float, seed: int, path: str
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.random((n, p)) < density
    o, q = np.nonzero(x)
    # Duplicate order lines, shuffled: the miner must see each (order, product) once.
    dup = rng.integers(0, max(o.size, 1), o.size // 3)
    o, q = np.concatenate([o, o[dup]]), np.concatenate([q, q[dup]])
    shuffle = rng.permutation(o.size)
    o, q = o[shuffle], q[shuffle]
    if o.size == 0:
        return
    expected = brute_itemsets(x, min_support)
    with pytest.MonkeyPatch.context() as mp:
        if path == "table in tiny chunks":
            mp.setattr(basket, "_PAIR_CHUNK", 1)
        elif path == "sparse product":
            mp.setattr(basket, "_PAIR_TABLE_MAX", 0)
        elif path == "rebuilt bits":
            mp.setattr(basket, "_PREFIX_BITS_BUDGET", 0)
            mp.setattr(basket, "_CHUNK_BYTES", 8)
        fi = frequent_itemsets(o, q, min_support=min_support, n_orders=n)
    assert _found(fi) == expected
    assert_rules_match(
        association_rules(fi, metric="confidence", min_threshold=0.0), brute_rules(expected, n)
    )


def test_pairs_come_out_in_lexicographic_order_with_exact_counts_on_both_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(11)
    x = rng.random((2000, 30)) < 0.2
    sub = basket._incidence(x, None, None)[0]
    sub.sort_indices()
    gram = x.T.astype(np.int64) @ x.astype(np.int64)
    i, j = np.triu_indices(30, 1)
    keep = gram[i, j] >= 80
    table_pairs, table_counts = basket._pair_counts(sub, 80)
    monkeypatch.setattr(basket, "_PAIR_TABLE_MAX", 0)
    sparse_pairs, sparse_counts = basket._pair_counts(sub, 80)
    for pairs, counts in ((table_pairs, table_counts), (sparse_pairs, sparse_counts)):
        assert pairs.tolist() == np.column_stack([i[keep], j[keep]]).tolist()
        assert counts.tolist() == gram[i, j][keep].tolist()


def test_dense_baskets_stop_at_the_itemset_bound_before_making_the_candidates() -> None:
    # 16 products in every one of 50 orders: 2**16 - 1 frequent itemsets.  With room for
    # 16 + 120 + 560 = 696 itemsets the 1,820 candidate quadruples are not made at all.
    orders = np.repeat(np.arange(50), 16)
    products = np.tile(np.arange(16), 50)
    fi = frequent_itemsets(orders, products, min_support=0.5, max_itemsets=700)
    assert fi.cut and fi.cut_at_len == 4
    assert np.bincount(fi.lengths).tolist() == [0, 16, 120, 560]
    assert np.all(fi.counts == 50)
    # Too many pairs for the bound: single products only, and it says where it stopped.
    fi = frequent_itemsets(orders, products, min_support=0.5, max_itemsets=100)
    assert fi.cut and fi.cut_at_len == 2
    assert len(fi) == 16


def test_dense_data_with_small_memory_budgets_gives_the_same_itemsets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Correlated products over 70,000 orders (two bitset row blocks and more), itemsets
    # six deep: the bitsets of a level kept in memory or rebuilt 64 KB at a time agree.
    rng = np.random.default_rng(5)
    n, p = 70_000, 12
    theme = rng.random((n, 1)) < 0.5
    x = (rng.random((n, p)) < 0.1) | (theme & (rng.random((n, p)) < 0.7))
    o, q = np.nonzero(x)
    kept = frequent_itemsets(o, q, min_support=0.03, n_orders=n)
    assert kept.lengths.max() >= 6
    monkeypatch.setattr(basket, "_PREFIX_BITS_BUDGET", 0)
    monkeypatch.setattr(basket, "_CHUNK_BYTES", 64 * 1024)
    rebuilt = frequent_itemsets(o, q, min_support=0.03, n_orders=n)
    assert _found(rebuilt) == _found(kept)
    assert [frozenset(kept.itemset(i)) for i in range(len(kept))] == [
        frozenset(rebuilt.itemset(i)) for i in range(len(rebuilt))
    ]
