"""Cross-sell: basket rules found in recent orders, and each person's likely next products.

The worker runs :func:`refresh_basket_rules` after every analytics refresh (registered in
``AnalyticsConfig.ready``). The work is bounded: only the orders of the last
``WINDOW_MONTHS`` months, itemsets of at most ``MAX_ITEMS`` products that appear in at
least ``MIN_SUPPORT`` of them, and at most ``MAX_RULES`` rules kept (the most confident).
The rules themselves are exact (``thrive.insights.basket``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from thrive.commerce.models import OrderLine, OrderStatus, Product
from thrive.contacts import profiling
from thrive.contacts.models import Person
from thrive.insights.basket import association_rules, frequent_itemsets

from .models import BasketRule

log = logging.getLogger(__name__)

WINDOW_MONTHS = 24
# A pair bought together in 0.2% of orders (14 of 7,000) is a pattern worth showing;
# with few orders the floor below applies instead.
MIN_SUPPORT = 0.002
# Products bought together in fewer orders than this are anecdote, not a rule.
MIN_PAIR_ORDERS = 3
MIN_CONFIDENCE = 0.1
MAX_ITEMS = 3
MAX_RULES = 500
# Bounds on the work whatever the orders look like: a catalogue where many products are
# bought together would otherwise make millions of itemsets (C(1,000, 3) = 166 million
# triples) and rules. Mining stops at these counts (the itemsets and rules of the most
# frequent sets are kept) and the log says so; a few hundred MB at most.
MAX_ITEMSETS = 250_000
MAX_CANDIDATE_RULES = 250_000
# Orders whose goods the customer kept (a fully refunded order is not a purchase).
BOUGHT_STATUSES = (OrderStatus.COMPLETED, OrderStatus.PARTIALLY_REFUNDED)
SUGGESTIONS = 5


def _window_start(now: dt.datetime, months: int) -> dt.datetime:
    return now - dt.timedelta(days=round(months * 365.25 / 12))


def refresh_basket_rules(
    *,
    now: dt.datetime | None = None,
    months: int = WINDOW_MONTHS,
    min_support: float = MIN_SUPPORT,
    min_confidence: float = MIN_CONFIDENCE,
    max_rules: int = MAX_RULES,
) -> int:
    """Recompute the stored rules from the orders of the last ``months`` months.

    Only rules with a lift above 1 are kept (the left side makes the right side more
    likely, not less), the most confident first. Returns how many were stored.
    """
    now = now or timezone.now()
    lines = OrderLine.objects.filter(
        product__isnull=False,
        order__status__in=BOUGHT_STATUSES,
        order__ordered_at__gte=_window_start(now, months),
        order__ordered_at__lte=now,
    ).values_list("order_id", "product_id")
    pairs = np.array(list(lines.iterator(chunk_size=5000)), dtype=np.int64).reshape(-1, 2)
    rows: list[BasketRule] = []
    if pairs.shape[0]:
        n_orders = int(np.unique(pairs[:, 0]).size)
        support = max(min_support, MIN_PAIR_ORDERS / n_orders)
        found = frequent_itemsets(
            pairs[:, 0],
            pairs[:, 1],
            min_support=min(support, 1.0),
            max_len=MAX_ITEMS,
            max_itemsets=MAX_ITEMSETS,
        )
        rules = association_rules(
            found,
            metric="confidence",
            min_threshold=min_confidence,
            max_rules=MAX_CANDIDATE_RULES,
        )
        if found.cut or rules.cut:
            log.warning(
                "Basket rules stopped at the work bounds (support %.4g, %d orders): %d "
                "itemsets mined%s; rules from %d of %d itemsets; raise the minimum support "
                "to see them all.",
                support,
                n_orders,
                len(found),
                f", none of {found.cut_at_len} products or more" if found.cut else "",
                rules.itemsets_used,
                rules.itemsets_used + rules.itemsets_left_out,
            )
        positive = np.flatnonzero(rules.lift > 1.0)
        best = positive[np.lexsort((-rules.lift[positive], -rules.confidence[positive]))]
        for i in best[:max_rules]:
            left, right = rules.rule(int(i))
            rows.append(
                BasketRule(
                    computed_at=now,
                    antecedent=sorted(int(p) for p in left),
                    consequent=sorted(int(p) for p in right),
                    support=float(rules.support[i]),
                    confidence=float(rules.confidence[i]),
                    lift=float(rules.lift[i]),
                    orders=n_orders,
                )
            )
    with transaction.atomic():
        BasketRule.objects.all().delete()
        BasketRule.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@dataclass(frozen=True)
class Suggestion:
    """A product (or products) a person is likely to buy next, with the rule behind it."""

    products: list[str]
    because: list[str]
    confidence: float
    lift: float

    @property
    def sentence(self) -> str:
        # The rules count orders (baskets), so the sentence speaks of orders.
        return (
            f"{self.confidence:.0%} of the orders with {_and(self.because)} also had "
            f"{_and(self.products)}; that is {self.lift:.1f}× more often than orders in general."
        )


def _and(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class LikelyNext:
    declined: bool
    suggestions: list[Suggestion]
    computed_at: dt.datetime | None


def likely_next_products(person: Person, *, limit: int = SUGGESTIONS) -> LikelyNext:
    """The stored rules whose left side ``person`` has bought and whose right side they
    have not, best first (confidence, then lift); one suggestion per right side.

    Nobody who declined profiling gets any."""
    if profiling.has_declined(person):
        return LikelyNext(declined=True, suggestions=[], computed_at=None)
    bought = set(
        OrderLine.objects.filter(
            order__person=person, order__status__in=BOUGHT_STATUSES, product__isnull=False
        ).values_list("product_id", flat=True)
    )
    latest = BasketRule.objects.order_by("-computed_at").values_list("computed_at", flat=True)
    computed_at = latest.first()
    if not bought or computed_at is None:
        return LikelyNext(declined=False, suggestions=[], computed_at=computed_at)
    picked: list[BasketRule] = []
    seen: set[tuple[int, ...]] = set()
    # Rules are few (MAX_RULES at most) and ordered best first: read them in order.
    for rule in BasketRule.objects.order_by("-confidence", "-lift", "id").iterator():
        right = tuple(rule.consequent)
        if right in seen or not set(rule.antecedent) <= bought or set(right) & bought:
            continue
        seen.add(right)
        picked.append(rule)
        if len(picked) >= limit:
            break
    ids = {p for r in picked for p in (*r.antecedent, *r.consequent)}
    names = dict(Product.objects.filter(pk__in=ids).values_list("pk", "name"))
    suggestions = [
        Suggestion(
            products=[names.get(p, f"product {p}") for p in r.consequent],
            because=[names.get(p, f"product {p}") for p in r.antecedent],
            confidence=r.confidence,
            lift=r.lift,
        )
        for r in picked
    ]
    return LikelyNext(declined=False, suggestions=suggestions, computed_at=computed_at)
