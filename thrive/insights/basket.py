"""Market-basket analysis: exact frequent itemsets and association rules for cross-sell.

Definitions (Agrawal, Imielinski & Swami 1993, "Mining association rules between sets
of items in large databases"; Agrawal & Srikant 1994, "Fast algorithms for mining
association rules"), with ``N`` orders and ``count(X)`` the number of orders that
contain every product of itemset ``X``:

* support(X)            = count(X) / N
* an itemset is *frequent* when ``support(X) >= min_support`` (compared in floating
  point exactly as reported, so 7 of 100 orders pass ``min_support=0.07``)
* rule A -> C (A, C disjoint, non-empty, A ∪ C frequent):
  - support     = support(A ∪ C)
  - confidence  = support(A ∪ C) / support(A)
  - lift        = confidence / support(C)
  - leverage    = support(A ∪ C) - support(A) * support(C)   (Piatetsky-Shapiro 1991)
  - conviction  = (1 - support(C)) / (1 - confidence)         (Brin et al. 1997);
    ``inf`` when confidence == 1 (the rule never fails in the data).

Algorithm (level-wise Apriori, counts exact):

1. Orders × products is turned into a de-duplicated CSR incidence matrix; products below
   the support threshold are dropped (anti-monotonicity: no superset can be frequent).
2. Pairs: the co-occurrence (Gram) matrix ``XᵀX`` of the frequent-product columns, as
   an exact integer sparse product.
3. Triples and larger: each product (and each frequent itemset of the previous level) is
   a bitset over orders (``np.packbits`` → uint64 words).  Candidates of size k join two
   frequent (k-1)-itemsets sharing their first k-2 items; candidates with an infrequent
   (k-1)-subset are pruned; the count of a candidate is
   ``popcount(bits(prefix) & bits(extra product))`` via ``np.bitwise_count``.

Inputs may be a pair of arrays (order id per line, product id per line; duplicates are
harmless) or a 2-D one-hot matrix (``scipy.sparse`` of any format, or a dense numpy
array; non-zero means "in the order").  Empty input raises ``ValueError``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

__all__ = [
    "RULE_METRICS",
    "BasketRules",
    "FrequentItemsets",
    "association_rules",
    "basket_rules",
    "frequent_itemsets",
]

RuleMetric = Literal["support", "confidence", "lift", "leverage", "conviction"]
RULE_METRICS: tuple[str, ...] = ("support", "confidence", "lift", "leverage", "conviction")

# Row block for building bitsets: bounds the temporary boolean matrix to ~16k × n_items.
# A multiple of 64 so each block maps onto whole uint64 bitset words.
_ROW_BLOCK = 16_384
# Candidates counted per bitset batch: small enough that the AND buffer stays in cache.
_CANDIDATE_BATCH = 32
# Work bounds: 20 products in every order make a million itemsets and 3.5 billion rules.
DEFAULT_MAX_ITEMSETS = 250_000
DEFAULT_MAX_RULES = 250_000
# Pair counting: at most this many pair codes in memory at once, and a dense count table
# (int64) of at most this many cells (2,048 frequent products); beyond, a sparse product.
_PAIR_CHUNK = 1 << 21
_PAIR_TABLE_MAX = 1 << 22
# Above this many bytes of stored prefix bitsets we recompute them from single products,
# this many bytes of prefixes at a time.
_PREFIX_BITS_BUDGET = 128 * 1024 * 1024
_CHUNK_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FrequentItemsets:
    """Frequent itemsets with exact counts.

    ``items[i, :lengths[i]]`` are indices into ``products`` (sorted ascending); the rest of
    the row is -1.  Rows are ordered by length, then lexicographically.
    """

    products: np.ndarray  # labels of every product seen in the input, sorted
    items: np.ndarray  # int64 (n_itemsets, max_len), padded with -1
    lengths: np.ndarray  # int64 (n_itemsets,)
    counts: np.ndarray  # int64 (n_itemsets,): orders containing the whole itemset
    support: np.ndarray  # float64 (n_itemsets,): counts / n_orders
    n_orders: int
    min_support: float
    # True when mining stopped early because ``max_itemsets`` was reached: the itemsets of
    # length ``cut_at_len`` and longer are missing (shorter ones are complete).
    cut: bool = False
    cut_at_len: int = 0

    def __len__(self) -> int:
        return int(self.lengths.shape[0])

    def itemset(self, i: int) -> tuple[Any, ...]:
        """Product labels of itemset ``i``."""
        return tuple(self.products[self.items[i, : self.lengths[i]]].tolist())

    def to_dict(self) -> dict[frozenset[Any], float]:
        """``{frozenset(product labels): support}``, handy for comparisons and reports."""
        return {frozenset(self.itemset(i)): float(self.support[i]) for i in range(len(self))}


@dataclass(frozen=True, slots=True)
class BasketRules:
    """Association rules ``antecedent -> consequent``.

    Antecedent/consequent rows are indices into ``products`` padded with -1.
    """

    products: np.ndarray
    antecedents: np.ndarray  # int64 (n_rules, max_len - 1), padded with -1
    consequents: np.ndarray  # int64 (n_rules, max_len - 1), padded with -1
    antecedent_support: np.ndarray
    consequent_support: np.ndarray
    support: np.ndarray
    confidence: np.ndarray
    lift: np.ndarray
    leverage: np.ndarray
    conviction: np.ndarray  # inf where confidence == 1
    n_orders: int
    # The work bound: ``candidates`` rules the itemsets allow (before the metric filter);
    # when more than ``max_rules``, only the rules of the most frequent itemsets that fit
    # were built and ``cut`` is True.
    candidates: int = 0
    cut: bool = False
    itemsets_used: int = 0
    itemsets_left_out: int = 0

    def __len__(self) -> int:
        return int(self.support.shape[0])

    def rule(self, i: int) -> tuple[frozenset[Any], frozenset[Any]]:
        """``(antecedent labels, consequent labels)`` of rule ``i``."""
        a = self.antecedents[i]
        c = self.consequents[i]
        return (
            frozenset(self.products[a[a >= 0]].tolist()),
            frozenset(self.products[c[c >= 0]].tolist()),
        )

    def to_dict(self) -> dict[tuple[frozenset[Any], frozenset[Any]], dict[str, float]]:
        """``{(antecedent, consequent): {metric: value}}`` for every rule."""
        out: dict[tuple[frozenset[Any], frozenset[Any]], dict[str, float]] = {}
        for i in range(len(self)):
            out[self.rule(i)] = {
                "antecedent_support": float(self.antecedent_support[i]),
                "consequent_support": float(self.consequent_support[i]),
                "support": float(self.support[i]),
                "confidence": float(self.confidence[i]),
                "lift": float(self.lift[i]),
                "leverage": float(self.leverage[i]),
                "conviction": float(self.conviction[i]),
            }
        return out


# --------------------------------------------------------------------------- input


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique labels, code per value).  O(n) for compact non-negative ints."""
    if values.dtype.kind in "iu" and values.size:
        lo = int(values.min())
        hi = int(values.max())
        # A bincount table is linear time; only use it when the id range is compact.
        if lo >= 0 and hi < 4 * values.size + 1024:
            present = np.bincount(values, minlength=hi + 1) > 0
            codes_of = np.cumsum(present) - 1
            return np.flatnonzero(present), codes_of[values]
    labels, codes = np.unique(values, return_inverse=True)
    return labels, codes.reshape(-1)


def _incidence(orders: Any, products: Any, n_orders: int | None) -> tuple[sp.csr_array, np.ndarray]:
    """De-duplicated 0/1 CSR matrix (orders × products) and the product labels."""
    if products is None:
        if sp.issparse(orders):
            mat = sp.csr_array(orders)
        else:
            dense = np.asarray(orders)
            if dense.ndim != 2:
                raise ValueError("a one-hot input must be 2-D (orders × products)")
            mat = sp.csr_array(dense != 0)
        if mat.ndim != 2:
            raise ValueError("a one-hot input must be 2-D (orders × products)")
        # != 0 first: quantities like 0.5 must count as bought, and a new matrix never
        # aliases the caller's data, which is overwritten with ones below.
        mat = sp.csr_array(mat != 0).astype(np.int32)
        mat.eliminate_zeros()
        mat.sum_duplicates()
        mat.data[:] = 1
        if n_orders is not None and n_orders != mat.shape[0]:
            raise ValueError("n_orders must equal the number of rows of the one-hot matrix")
        return mat, np.arange(mat.shape[1])
    o = np.asarray(orders).reshape(-1)
    p = np.asarray(products).reshape(-1)
    if o.shape != p.shape:
        raise ValueError("orders and products must have the same length")
    if o.size == 0:
        raise ValueError("no order lines given")
    _, o_codes = _factorize(o)
    labels, p_codes = _factorize(p)
    n_distinct = int(o_codes.max()) + 1
    n_rows = n_distinct if n_orders is None else int(n_orders)
    if n_rows < n_distinct:
        raise ValueError("n_orders is smaller than the number of distinct orders")
    # COO -> CSR sums duplicate (order, product) lines; we then clip them back to 1.
    mat = sp.csr_array(
        (np.ones(o_codes.size, dtype=np.int32), (o_codes, p_codes)),
        shape=(n_rows, labels.size),
    )
    mat.sum_duplicates()
    mat.data[:] = 1
    return mat, labels


def _min_count(min_support: float, n_orders: int) -> int:
    if not (0.0 < min_support <= 1.0) or math.isnan(min_support):
        raise ValueError("min_support must be in (0, 1]")
    # Frequent means the *reported* support count / N is >= min_support, evaluated in
    # floating point like the support column itself.  ceil(min_support * N) can be off by
    # one when the product rounds (0.07 * 100 = 7.000000000000001), so step to the
    # smallest integer count whose support passes.  At least 1: absent sets never count.
    c = max(1, math.ceil(min_support * n_orders))
    while c > 1 and (c - 1) / n_orders >= min_support:
        c -= 1
    while c / n_orders < min_support:
        c += 1
    return c


# --------------------------------------------------------------------------- mining


def _pair_counts(sub: sp.csr_array, min_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Frequent pairs ``(i, j)``, i < j, of the columns of a 0/1 CSR matrix with sorted
    indices, lexicographically ordered, and their exact counts.

    With few columns every order's pairs are enumerated and counted with one
    ``np.bincount`` per chunk (rows of equal length at a time, at most ``_PAIR_CHUNK``
    pairs in memory); that is linear in the pairs the orders contain, several times less
    work than a sparse product ``XᵀX``.  With many columns the count table (m² int64)
    would be too large, and the sparse product, whose size is the number of pairs that
    occur, is used instead.
    """
    n, m = sub.shape
    if m * m > _PAIR_TABLE_MAX:
        itype = np.int32 if n < 2**31 else np.int64
        x = sp.csr_array((sub.data.astype(itype), sub.indices, sub.indptr), shape=sub.shape)
        gram = sp.triu(x.T @ x, k=1, format="coo")
        hit = gram.data >= min_count
        i, j, c = gram.row[hit].astype(np.int64), gram.col[hit].astype(np.int64), gram.data[hit]
        order = np.lexsort((j, i))
        return np.column_stack([i[order], j[order]]), c[order].astype(np.int64)
    table = np.zeros(m * m, dtype=np.int64)
    lengths = np.diff(sub.indptr)
    cols = sub.indices.astype(np.int64)
    for size in np.unique(lengths[lengths >= 2]).tolist():
        rows = np.flatnonzero(lengths == size)
        a, b = np.triu_indices(size, 1)
        step = max(1, _PAIR_CHUNK // a.size)
        for s in range(0, rows.size, step):
            # items of these orders, one row each (sorted, so a < b gives i < j)
            items = cols[sub.indptr[rows[s : s + step], None] + np.arange(size)]
            table += np.bincount((items[:, a] * m + items[:, b]).ravel(), minlength=m * m)
    hit = np.flatnonzero(table >= min_count)  # ascending codes: lexicographic pair order
    i, j = np.divmod(hit, m)
    keep = i < j
    return np.column_stack([i[keep], j[keep]]), table[hit[keep]]


def _bitsets(sub: sp.csr_array, used: np.ndarray) -> np.ndarray:
    """Bitset over orders (uint64, ``used.sum()`` × ceil(n/64)) of each column with
    ``used[col]``, in column order."""
    n = sub.shape[0]
    m = int(used.sum())
    slot = np.cumsum(used) - 1
    n_words = (n + 63) // 64
    bits = np.zeros((m, n_words), dtype=np.uint64)
    indptr = sub.indptr
    indices = sub.indices
    # Row blocks bound the temporary boolean matrix to m × _ROW_BLOCK bytes.
    for start in range(0, n, _ROW_BLOCK):
        stop = min(start + _ROW_BLOCK, n)
        cols = indices[indptr[start] : indptr[stop]]
        rows = np.repeat(np.arange(stop - start), np.diff(indptr[start : stop + 1]))
        keep = used[cols]
        flags = np.zeros((m, _ROW_BLOCK), dtype=bool)
        flags[slot[cols[keep]], rows[keep]] = True
        packed = np.packbits(flags, axis=1).view(np.uint64)
        w0 = start // 64
        w1 = min(w0 + packed.shape[1], n_words)
        bits[:, w0:w1] = packed[:, : w1 - w0]
    return bits


def _count_candidates(
    left: np.ndarray,
    left_idx: np.ndarray,
    right: np.ndarray,
    right_idx: np.ndarray,
    min_count: int,
    keep_bits: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """popcount(left[left_idx] & right[right_idx]) per candidate, in cache-sized batches.

    With ``keep_bits`` the AND-ed bitsets of the frequent candidates are returned too, so
    the next level can extend them without recomputing.
    """
    k = left_idx.size
    counts = np.empty(k, dtype=np.int64)
    n_words = left.shape[1]
    # Room for every candidate; only the pages written (the frequent ones) become resident.
    kept = np.empty((k if keep_bits else 0, n_words), dtype=np.uint64)
    n_kept = 0
    buf = np.empty((_CANDIDATE_BATCH, n_words), dtype=np.uint64)
    rbuf = np.empty((_CANDIDATE_BATCH, n_words), dtype=np.uint64)
    pop = np.empty((_CANDIDATE_BATCH, n_words), dtype=np.uint8)
    for s in range(0, k, _CANDIDATE_BATCH):
        e = min(s + _CANDIDATE_BATCH, k)
        b = e - s
        np.take(left, left_idx[s:e], axis=0, out=buf[:b])
        np.take(right, right_idx[s:e], axis=0, out=rbuf[:b])
        np.bitwise_and(buf[:b], rbuf[:b], out=buf[:b])
        np.bitwise_count(buf[:b], out=pop[:b])
        cnt = pop[:b].sum(axis=1, dtype=np.int64)
        counts[s:e] = cnt
        if keep_bits:
            hit = cnt >= min_count
            n_hit = int(hit.sum())
            kept[n_kept : n_kept + n_hit] = buf[:b][hit]
            n_kept += n_hit
    return counts, (kept[:n_kept] if keep_bits else None)


def _and_of_items(item_bits: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Bitsets of itemsets (rows of ``sets``) as the AND of their products' bitsets."""
    out = item_bits[sets[:, 0]].copy()
    for j in range(1, sets.shape[1]):
        out &= item_bits[sets[:, j]]
    return out


def _join(level: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Apriori join: pairs (a, b), a < b, of lexicographically sorted (k-1)-itemsets that
    share their first k-2 items.  Candidate = level[a] + (level[b, -1],).

    ``None`` when there would be more than ``cap`` candidates (counted before any is made).
    """
    m, width = level.shape
    if m < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    new_group = np.ones(m, dtype=bool)
    if width > 1:
        new_group[1:] = np.any(level[1:, :-1] != level[:-1, :-1], axis=1)
    else:
        new_group[1:] = False  # 1-itemsets share the empty prefix
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:], m)
    group_end = ends[np.cumsum(new_group) - 1]
    n_partners = group_end - np.arange(m) - 1
    total = int(n_partners.sum())
    if total > cap:
        return None
    a = np.repeat(np.arange(m, dtype=np.int64), n_partners)
    # offset of each candidate inside its row's partner run: 0, 1, 2, ...
    run_start = np.repeat(np.cumsum(n_partners) - n_partners, n_partners)
    b = a + 1 + (np.arange(total, dtype=np.int64) - run_start)
    return a, b


def _encode_rows(rows: np.ndarray, base: int) -> np.ndarray:
    """Order-preserving int64 key of fixed-width rows of small non-negative ints."""
    key = np.zeros(rows.shape[0], dtype=np.int64)
    for j in range(rows.shape[1]):
        key = key * base + rows[:, j]
    return key


def _prune(level: np.ndarray, cand: np.ndarray, n_items: int) -> np.ndarray:
    """Mask of candidates whose every (k-1)-subset is frequent (Apriori property).

    Only the subsets that drop one of the first k-2 items need checking: dropping either
    of the last two gives the two joined itemsets, frequent by construction.
    """
    k = cand.shape[1]
    ok = np.ones(cand.shape[0], dtype=bool)
    if k < 3 or cand.shape[0] == 0:
        return ok
    if n_items ** (k - 1) >= 2**62:
        # Keys would overflow int64; pruning only saves work, so skip it (still exact).
        return ok
    keys = _encode_rows(level, n_items)  # sorted ascending, since `level` is lexsorted
    for drop in range(k - 2):
        sub = np.delete(cand, drop, axis=1)
        sk = _encode_rows(sub, n_items)
        pos = np.searchsorted(keys, sk)
        pos = np.minimum(pos, keys.size - 1)
        ok &= keys[pos] == sk
    return ok


def _deeper_levels(
    sub: sp.csr_array,
    pairs: np.ndarray,
    freq: np.ndarray,
    min_count: int,
    limit: int,
    max_itemsets: int,
    levels: list[np.ndarray],
    level_counts: list[np.ndarray],
) -> int:
    """Levels 3 and up by bitset intersections, appended to ``levels``/``level_counts``.

    Returns the size at which mining stopped for ``max_itemsets`` (0 if it did not).

    Memory is bounded whatever the data: the candidates of a level (at most
    ``max_itemsets``, counted before they are made), the bitsets of the products that
    occur in a frequent pair (one bit per order each), the bitsets of the previous level's
    itemsets only while they fit in ``_PREFIX_BITS_BUDGET`` (else they are rebuilt from
    the products' bitsets ``_CHUNK_BYTES`` at a time), and a ``_CANDIDATE_BATCH`` buffer.
    """
    used = np.zeros(freq.size, dtype=bool)
    used[pairs.ravel()] = True
    # Only products that occur in a frequent pair can extend to a triple.
    slot = np.cumsum(used) - 1
    item_bits = _bitsets(sub, used)
    row_bytes = item_bits.shape[1] * 8
    level = pairs
    level_bits: np.ndarray | None = None
    if level.shape[0] * row_bytes <= _PREFIX_BITS_BUDGET:
        level_bits = item_bits[slot[level[:, 0]]] & item_bits[slot[level[:, 1]]]
    k = 3
    while k <= limit and level.shape[0] >= 2:
        mined = sum(lv.shape[0] for lv in levels)
        joined = _join(level, max_itemsets - mined)
        if joined is None:
            return k
        a, b = joined
        if a.size == 0:
            break
        cand = np.column_stack([level[a], level[b, -1]])
        ok = _prune(level, cand, freq.size)
        a, cand = a[ok], cand[ok]
        if cand.shape[0] == 0:
            break
        # Store this level's bitsets only when another level may follow and they fit.
        keep = k < limit and cand.shape[0] * row_bytes <= _PREFIX_BITS_BUDGET
        last = slot[cand[:, -1]]
        if level_bits is not None:
            counts, new_bits = _count_candidates(level_bits, a, item_bits, last, min_count, keep)
        else:
            # Prefix bitsets did not fit in memory: rebuild them in chunks.
            counts = np.empty(cand.shape[0], dtype=np.int64)
            new_bits = np.empty((cand.shape[0] if keep else 0, row_bytes // 8), dtype=np.uint64)
            filled = 0
            step = max(1, _CHUNK_BYTES // row_bytes)
            for s in range(0, cand.shape[0], step):
                pref = _and_of_items(item_bits, slot[cand[s : s + step, :-1]])
                c, nb = _count_candidates(
                    pref, np.arange(pref.shape[0]), item_bits, last[s : s + step], min_count, keep
                )
                counts[s : s + step] = c
                if nb is not None:
                    new_bits[filled : filled + nb.shape[0]] = nb
                    filled += nb.shape[0]
            new_bits = new_bits[:filled]
        hit = counts >= min_count
        level = cand[hit]
        if level.shape[0] == 0:
            break
        levels.append(freq[level])
        level_counts.append(counts[hit])
        level_bits = new_bits if keep else None
        k += 1
    return 0


def frequent_itemsets(
    orders: Any,
    products: Any = None,
    *,
    min_support: float,
    n_orders: int | None = None,
    max_len: int | None = None,
    max_itemsets: int = DEFAULT_MAX_ITEMSETS,
) -> FrequentItemsets:
    """All itemsets with ``count / n_orders >= min_support``, with exact counts.

    Parameters
    ----------
    orders, products
        Either two equal-length arrays (order id and product id of each order line; any
        hashable numpy dtype, duplicates ignored), or ``orders`` alone as a 2-D one-hot
        matrix (``scipy.sparse`` or dense) with ``products=None``; then product labels
        are column indices.
    min_support
        Minimum support in (0, 1].
    n_orders
        Number of orders, the support denominator.  Order lines cannot show orders
        without products, so pass the true total when some orders may be empty
        (default: number of distinct order ids; for a matrix, its row count).
    max_len
        Largest itemset size to mine (default: no limit).
    max_itemsets
        A bound on the work: when a level's candidates would take the total past it,
        mining stops before that level and the result is marked ``cut`` (products that
        are all in every order make 2**products itemsets).
    """
    mat, labels = _incidence(orders, products, n_orders)
    n = int(mat.shape[0])
    if n == 0:
        raise ValueError("no orders given")
    if max_len is not None and max_len < 1:
        raise ValueError("max_len must be >= 1")
    min_count = _min_count(float(min_support), n)
    limit = max_len if max_len is not None else mat.shape[1]
    cut_at = 0

    item_counts = np.bincount(mat.indices, minlength=mat.shape[1]).astype(np.int64)
    freq = np.flatnonzero(item_counts >= min_count)  # ascending product order
    levels: list[np.ndarray] = [freq.reshape(-1, 1)]
    level_counts: list[np.ndarray] = [item_counts[freq]]

    if freq.size >= 2 and limit >= 2:
        sub = mat[:, freq]
        sub.sort_indices()
        pairs, pair_counts = _pair_counts(sub, min_count)  # local indices 0..F-1
        if freq.size + pairs.shape[0] > max_itemsets:
            pairs, cut_at = pairs[:0], 2
        else:
            levels.append(freq[pairs])
            level_counts.append(pair_counts)
        level = pairs
        if limit >= 3 and level.shape[0] >= 2:
            cut_at = _deeper_levels(
                sub, level, freq, min_count, limit, max_itemsets, levels, level_counts
            )

    max_w = max(lv.shape[1] for lv in levels) if levels else 1
    total = sum(lv.shape[0] for lv in levels)
    items = np.full((total, max_w), -1, dtype=np.int64)
    lengths = np.empty(total, dtype=np.int64)
    row = 0
    for lv in levels:
        items[row : row + lv.shape[0], : lv.shape[1]] = lv
        lengths[row : row + lv.shape[0]] = lv.shape[1]
        row += lv.shape[0]
    counts_all = (
        np.concatenate(level_counts) if level_counts else np.empty(0, dtype=np.int64)
    ).astype(np.int64)
    return FrequentItemsets(
        products=labels,
        items=items,
        lengths=lengths,
        counts=counts_all,
        support=counts_all / n,
        n_orders=n,
        min_support=float(min_support),
        cut=cut_at > 0,
        cut_at_len=cut_at,
    )


# --------------------------------------------------------------------------- rules


class _SupportLookup:
    """Count of any frequent itemset given as padded rows of product indices."""

    def __init__(self, fi: FrequentItemsets) -> None:
        n_products = max(int(fi.products.size), 1)
        self._base = n_products + 1
        max_len = int(fi.lengths.max()) if len(fi) else 1
        self._vector = self._base**max_len < 2**62
        if self._vector:
            keys = self._key(fi.items)
            order = np.argsort(keys)
            self._keys = keys[order]
            self._counts = fi.counts[order]
        else:
            self._table = {
                tuple(r[r >= 0].tolist()): int(c) for r, c in zip(fi.items, fi.counts, strict=True)
            }

    def _key(self, rows: np.ndarray) -> np.ndarray:
        # digits are item+1 (padding -1 -> 0), so sets of different sizes never collide
        key = np.zeros(rows.shape[0], dtype=np.int64)
        for j in range(rows.shape[1] - 1, -1, -1):
            key = key * self._base + (rows[:, j] + 1)
        return key

    def counts(self, rows: np.ndarray) -> np.ndarray:
        if self._vector:
            k = self._key(rows)
            pos = np.minimum(np.searchsorted(self._keys, k), self._keys.size - 1)
            if not np.all(self._keys[pos] == k):
                raise ValueError("itemsets are not downward closed; were they filtered?")
            return self._counts[pos]
        return np.array([self._table[tuple(r[r >= 0].tolist())] for r in rows], dtype=np.int64)


def association_rules(
    itemsets: FrequentItemsets,
    *,
    metric: RuleMetric = "confidence",
    min_threshold: float = 0.8,
    max_len: int | None = None,
    max_rules: int = DEFAULT_MAX_RULES,
) -> BasketRules:
    """Every rule A -> C from the frequent itemsets with ``metric >= min_threshold``.

    Each frequent itemset I of size >= 2 yields a candidate rule for every non-empty
    proper subset A (consequent C = I minus A); supports of A and C are looked up among
    the frequent itemsets (they are frequent by anti-monotonicity).  See the module
    docstring for the formulas.  ``conviction`` is ``inf`` when confidence is 1.

    Work bounds: itemsets longer than ``max_len`` make no rules; an itemset of size k
    makes 2**k - 2 candidate rules, and when they add up to more than ``max_rules`` only
    the most frequent itemsets whose rules fit are used (``cut`` is True and
    ``itemsets_left_out`` says how many were not).
    """
    if metric not in RULE_METRICS:
        raise ValueError(f"metric must be one of {RULE_METRICS}")
    if max_len is not None and max_len < 2:
        raise ValueError("max_len must be >= 2 for rules")
    if max_rules < 1:
        raise ValueError("max_rules must be >= 1")
    look = _SupportLookup(itemsets)
    n = itemsets.n_orders
    top = int(itemsets.lengths.max(initial=0))
    if max_len is not None:
        top = min(top, max_len)
    eligible = np.flatnonzero((itemsets.lengths >= 2) & (itemsets.lengths <= top))
    per_set = 2.0 ** itemsets.lengths[eligible] - 2
    candidates = int(per_set.sum())
    cut = candidates > max_rules
    if cut:
        # The most frequent itemsets first (shorter first among equals), as many as fit.
        order = np.lexsort((itemsets.lengths[eligible], -itemsets.counts[eligible]))
        fits = np.cumsum(per_set[order]) <= max_rules
        chosen = np.zeros(itemsets.lengths.size, dtype=bool)
        chosen[eligible[order[fits]]] = True
    else:
        chosen = np.zeros(itemsets.lengths.size, dtype=bool)
        chosen[eligible] = True
    used = int(chosen.sum())
    if used:
        top = int(itemsets.lengths[chosen].max())
    max_w = max(top - 1, 1)
    ants: list[np.ndarray] = []
    cons: list[np.ndarray] = []
    full_counts: list[np.ndarray] = []
    for k in range(2, top + 1):
        sel = (itemsets.lengths == k) & chosen
        sets = itemsets.items[sel, :k]
        cnt = itemsets.counts[sel]
        if sets.shape[0] == 0:
            continue
        for mask in range(1, 2**k - 1):
            in_a = np.array([(mask >> j) & 1 == 1 for j in range(k)])
            a = np.full((sets.shape[0], max_w), -1, dtype=np.int64)
            c = np.full((sets.shape[0], max_w), -1, dtype=np.int64)
            a[:, : in_a.sum()] = sets[:, in_a]
            c[:, : (~in_a).sum()] = sets[:, ~in_a]
            ants.append(a)
            cons.append(c)
            full_counts.append(cnt)
    if not ants:
        pad = np.empty((0, max_w), dtype=np.int64)
        return BasketRules(
            products=itemsets.products,
            antecedents=pad,
            consequents=pad.copy(),
            antecedent_support=np.empty(0),
            consequent_support=np.empty(0),
            support=np.empty(0),
            confidence=np.empty(0),
            lift=np.empty(0),
            leverage=np.empty(0),
            conviction=np.empty(0),
            n_orders=n,
            candidates=candidates,
            cut=cut,
            itemsets_used=used,
            itemsets_left_out=int(eligible.size) - used,
        )
    a_rows = np.concatenate(ants)
    c_rows = np.concatenate(cons)
    s_ac = np.concatenate(full_counts) / n
    s_a = look.counts(a_rows) / n
    s_c = look.counts(c_rows) / n
    confidence = s_ac / s_a
    lift = confidence / s_c
    leverage = s_ac - s_a * s_c
    with np.errstate(divide="ignore", invalid="ignore"):
        # confidence == 1 means the rule never failed: conviction is +inf by definition.
        conviction = np.where(confidence >= 1.0, np.inf, (1.0 - s_c) / (1.0 - confidence))
    values = {
        "support": s_ac,
        "confidence": confidence,
        "lift": lift,
        "leverage": leverage,
        "conviction": conviction,
    }
    keep = values[metric] >= min_threshold
    return BasketRules(
        products=itemsets.products,
        antecedents=a_rows[keep],
        consequents=c_rows[keep],
        antecedent_support=s_a[keep],
        consequent_support=s_c[keep],
        support=s_ac[keep],
        confidence=confidence[keep],
        lift=lift[keep],
        leverage=leverage[keep],
        conviction=conviction[keep],
        n_orders=n,
        candidates=candidates,
        cut=cut,
        itemsets_used=used,
        itemsets_left_out=int(eligible.size) - used,
    )


def basket_rules(
    orders: Any,
    products: Any = None,
    *,
    min_support: float,
    metric: RuleMetric = "confidence",
    min_threshold: float = 0.8,
    n_orders: int | None = None,
    max_len: int | None = None,
) -> BasketRules:
    """Convenience: :func:`frequent_itemsets` followed by :func:`association_rules`."""
    fi = frequent_itemsets(
        orders, products, min_support=min_support, n_orders=n_orders, max_len=max_len
    )
    return association_rules(fi, metric=metric, min_threshold=min_threshold)
