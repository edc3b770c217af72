"""Synthetic order baskets for the basket-rules benchmark (``bench/insights_bench.py``).

Product popularity follows a Zipf law (weight 1/rank, ranks shuffled across product ids);
basket sizes are 1 + Poisson(mean - 1); 30% of the orders also contain one of 30
"bundles" of 2–4 products (each bundle product kept with probability 0.8), which creates
frequent itemsets up to size 5.  The same seed gives the same orders on any machine with
the same numpy.
"""

from __future__ import annotations

import numpy as np


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


def dense_orders(
    n_orders: int = 100_000,
    n_products: int = 40,
    *,
    n_themes: int = 4,
    theme_size: int = 8,
    p_theme: float = 0.6,
    p_in_theme: float = 0.6,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Dense baskets over a small catalogue: every product is bought on its own with a
    probability drawn from U(0.02, 0.3), and 60% of the orders follow one of 4 "themes" of
    8 products, each taken with probability 0.6.  About 9 of the 40 products per order;
    at support 0.01 the frequent itemsets go 7 products deep (11,731 of them, 128,790
    rules), which is where candidate counts and memory grow fastest."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.02, 0.3, n_products)
    bought = rng.random((n_orders, n_products)) < base
    themes = [rng.choice(n_products, theme_size, replace=False) for _ in range(n_themes)]
    theme_of = np.where(rng.random(n_orders) < p_theme, rng.integers(0, n_themes, n_orders), -1)
    for t, members in enumerate(themes):
        rows = np.flatnonzero(theme_of == t)
        bought[np.ix_(rows, members)] |= rng.random((rows.size, members.size)) < p_in_theme
    orders, products = np.nonzero(bought)
    return orders, products
