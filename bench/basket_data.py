"""Benchmark: basket rules on 100,000 orders × 500 products at min support 0.01.

Not collected by pytest (the file name does not start with ``test_``).  Run with

    .venv/bin/python thrive/insights/tests/bench_basket.py

It times :func:`thrive.insights.basket.frequent_itemsets` + ``association_rules`` from
order/product index arrays and from a CSR one-hot matrix.  If ``mlxtend`` and ``pandas``
are importable (e.g. run this file with a throwaway virtualenv's python that has them,
plus ``PYTHONPATH`` pointing at the repository), it also times mlxtend's
``apriori(low_memory=True)`` + ``association_rules`` on the same data and checks that
both return the same itemsets, supports and rules.  mlxtend is not a project dependency.

Data (:func:`synthetic_orders`): product popularity follows a Zipf law (weight 1/rank,
ranks shuffled across product ids); basket sizes are 1 + Poisson(mean - 1); 30% of the
orders also contain one of 30 "bundles" of 2–4 products (each bundle product kept with
probability 0.8), which creates frequent itemsets up to size 5.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import scipy.sparse as sp

from thrive.insights.basket import association_rules, frequent_itemsets


def synthetic_orders(
    n_orders: int = 100_000,
    n_products: int = 500,
    *,
    mean_size: float = 12.0,
    zipf: float = 1.0,
    n_bundles: int = 30,
    p_bundle: float = 0.3,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """(order index, product index) per order line; duplicates possible (and harmless)."""
    rng = np.random.default_rng(seed)
    weight = 1.0 / np.arange(1, n_products + 1) ** zipf
    weight = weight[rng.permutation(n_products)]
    weight /= weight.sum()
    sizes = 1 + rng.poisson(mean_size - 1, n_orders)
    orders = [np.repeat(np.arange(n_orders), sizes)]
    products = [rng.choice(n_products, size=int(sizes.sum()), p=weight)]
    bundles = [rng.choice(n_products, int(k), replace=False) for k in rng.integers(2, 5, n_bundles)]
    with_bundle = np.flatnonzero(rng.random(n_orders) < p_bundle)
    which = rng.integers(0, n_bundles, with_bundle.size)
    for b in range(n_bundles):
        members = with_bundle[which == b]
        keep = rng.random((members.size, bundles[b].size)) < 0.8
        rows, cols = np.nonzero(keep)
        orders.append(members[rows])
        products.append(bundles[b][cols])
    return np.concatenate(orders), np.concatenate(products)


def _best_of(fn, repeat: int = 5) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> int:
    n_orders, n_products, min_support = 100_000, 500, 0.01
    o, p = synthetic_orders(n_orders, n_products)
    csr = sp.csr_array((np.ones(o.size, dtype=np.int8), (o, p)), shape=(n_orders, n_products))

    def ours_arrays():  # type: ignore[no-untyped-def]
        fi = frequent_itemsets(o, p, min_support=min_support, n_orders=n_orders)
        return fi, association_rules(fi, metric="confidence", min_threshold=0.0)

    def ours_csr():  # type: ignore[no-untyped-def]
        fi = frequent_itemsets(csr, min_support=min_support)
        return fi, association_rules(fi, metric="confidence", min_threshold=0.0)

    t_arr, (fi, rules) = _best_of(ours_arrays)
    t_csr, _ = _best_of(ours_csr)
    sizes = np.bincount(fi.lengths)[1:].tolist()
    print(
        f"data: {n_orders} orders x {n_products} products, {o.size} lines, "
        f"mean basket {np.diff(sp.csr_array(csr).indptr).mean():.2f} distinct products"
    )
    print(f"thrive: {len(fi)} itemsets (by size {sizes}), {len(rules)} rules")
    print(f"thrive from index arrays: {t_arr:.3f} s (best of 5)")
    print(f"thrive from CSR matrix:   {t_csr:.3f} s (best of 5)")

    try:
        import pandas as pd  # noqa: PLC0415
        from mlxtend.frequent_patterns import apriori  # noqa: PLC0415
        from mlxtend.frequent_patterns import association_rules as mlx_rules  # noqa: PLC0415
    except ImportError:
        print("mlxtend/pandas not importable: skipping the comparison")
        return 0
    dense = np.zeros((n_orders, n_products), dtype=bool)
    dense[o, p] = True
    frame = pd.DataFrame(dense, columns=list(range(n_products)))

    def theirs():  # type: ignore[no-untyped-def]
        f = apriori(frame, min_support=min_support, low_memory=True)
        return f, mlx_rules(f, num_itemsets=len(f), metric="confidence", min_threshold=0.0)

    t_mlx, (mfi, mrules) = _best_of(theirs, repeat=2)
    print(f"mlxtend apriori(low_memory=True) + association_rules: {t_mlx:.3f} s (best of 2)")
    print(f"speed-up: {t_mlx / t_arr:.1f}x (arrays), {t_mlx / t_csr:.1f}x (CSR)")

    ours_sets = fi.to_dict()
    their_sets = {frozenset(s): float(v) for s, v in zip(mfi.itemsets, mfi.support, strict=True)}
    assert ours_sets.keys() == their_sets.keys(), "different frequent itemsets"
    assert all(ours_sets[k] == their_sets[k] for k in ours_sets), "different supports"
    ours_r = rules.to_dict()
    cols = [
        "antecedent support",
        "consequent support",
        "support",
        "confidence",
        "lift",
        "leverage",
        "conviction",
    ]
    their_r = {
        (frozenset(a), frozenset(c)): row
        for a, c, row in zip(
            mrules.antecedents, mrules.consequents, mrules[cols].to_numpy(), strict=True
        )
    }
    assert ours_r.keys() == their_r.keys(), "different rules"
    worst = 0.0
    for key, row in their_r.items():
        mine = ours_r[key]
        for name, value in zip(cols, row, strict=True):
            a = mine[name.replace(" ", "_")]
            if np.isinf(value) or np.isinf(a):
                assert a == value, (key, name)
            else:
                worst = max(worst, abs(a - value) / max(abs(value), 1e-300))
    print(
        f"identical itemsets ({len(ours_sets)}) and rules ({len(ours_r)}); "
        f"max relative metric difference {worst:.1e}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
