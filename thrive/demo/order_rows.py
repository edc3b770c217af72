"""Orders, their lines and subscriptions of one chunk, as rows.

Each order gets the timeline entry ``record_order`` writes (kind order, inbound, ref
``order:<id>``); a refund or a void gets the entry ``refund_order``/``void_order`` write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from thrive.commerce.models import Order, OrderLine, Subscription

from . import catalog
from .events import ONLINE, SALES_CHANNELS, STATUSES, SUBSCRIPTION_CH, VOIDED, ChunkEvents

if TYPE_CHECKING:
    from .rows import ChunkWriter

ORDER_FIELDS = """id person number ordered_at status channel currency total refunded source
created_at updated_at""".split()
LINE_FIELDS = "order product sku description quantity unit_price discount line_total".split()
SUBSCRIPTION_FIELDS = """person product plan monthly_amount currency started_on ended_on
cancel_reason created_at updated_at""".split()
CANCEL_REASONS = ["Too much coffee piling up", "Moving away", "Buying at the café instead",
                  "Cutting costs", ""]  # fmt: skip
# Order numbers look like a shop's: a prefix and a running number from 100001.
FIRST_NUMBER = 100_001


def write_orders(cw: ChunkWriter, ev: ChunkEvents) -> None:
    w, ids = cw.writer, cw.ids
    n = ev.o_person.size
    first_id = ids.order + ids.orders_written
    at = w.times(ev.o_t)
    totals, refunded = w.money(ev.o_total), w.money(ev.o_refunded)
    refund_at, void_at = w.optional_times(ev.o_refund_t), w.optional_times(ev.o_void_t)
    rows = []
    for j, (p, ch, cad, status) in enumerate(
        zip(ev.o_person.tolist(), ev.o_channel.tolist(), ev.o_cad.tolist(),
            ev.o_status.tolist(), strict=True)
    ):  # fmt: skip
        oid = first_id + j
        number = f"{catalog.ORDER_PREFIX}{FIRST_NUMBER + ids.orders_written + j}"
        currency = "CAD" if cad else "USD"
        changed = refund_at[j] or void_at[j] or at[j]  # when the order row last changed
        rows.append((oid, ids.person + p, number, at[j], STATUSES[status], SALES_CHANNELS[ch],
                     currency, totals[j], refunded[j], "demo", at[j], changed))  # fmt: skip
        cw.activity(
            p, "order", at[j], channel="web" if ch in (ONLINE, SUBSCRIPTION_CH) else "in_person",
            direction="inbound", subject=f"Order {number}: {totals[j]} {currency}",
            data=f'{{"order": {oid}, "total": "{totals[j]}", "currency": "{currency}"}}',
            ref=f"order:{oid}",
        )  # fmt: skip
        refund, void = refund_at[j], void_at[j]
        if refund is not None:
            cw.activity(
                p, "order", refund, direction="outbound", ref=f"order:{oid}",
                subject=f"Refund of {refunded[j]} {currency} on order {number}",
                data=f'{{"order": {oid}, "refund": "{refunded[j]}"}}',
            )  # fmt: skip
        if status == VOIDED and void is not None:
            cw.activity(
                p, "order", void, subject=f"Order {number} voided", body="Payment failed",
                data=f'{{"order": {oid}, "voided": true}}', ref=f"order:{oid}",
            )  # fmt: skip
    w.insert(Order, ORDER_FIELDS, rows)

    products = catalog.PRODUCTS
    unit, discount = w.money(ev.l_unit), w.money(ev.l_discount)
    line_total = w.money(ev.l_qty * ev.l_unit - ev.l_discount)
    lines = zip(ev.l_order.tolist(), ev.l_product.tolist(), ev.l_qty.tolist(), strict=True)
    w.insert(OrderLine, LINE_FIELDS, [
        (first_id + o, ids.product[pr], products[pr].sku, products[pr].name, qty, unit[j],
         discount[j], line_total[j])
        for j, (o, pr, qty) in enumerate(lines)
    ])  # fmt: skip
    ids.orders_written += n


def write_subscriptions(cw: ChunkWriter, ev: ChunkEvents) -> None:
    w, pp = cw.writer, cw.plan.people
    started, ended, created = w.dates(ev.s_start), w.dates(ev.s_end), w.times(ev.s_start)
    canadian = np.array([c[2] == "CA" for c in catalog.CITIES])[pp.city[ev.s_person]]
    rows = []
    for j, (p, plan_index) in enumerate(zip(ev.s_person.tolist(), ev.s_plan.tolist(),
                                            strict=True)):  # fmt: skip
        sku, plan_name, _, _ = catalog.SUBSCRIPTION_PLANS[plan_index]
        product = catalog.PRODUCTS[catalog.SKU_INDEX[sku]]
        amount = product.cad_cents if canadian[j] else product.price_cents
        reason = CANCEL_REASONS[p % len(CANCEL_REASONS)] if ended[j] else ""
        rows.append((cw.ids.person + p, cw.ids.product[catalog.SKU_INDEX[sku]], plan_name,
                     w.money([amount])[0], "CAD" if canadian[j] else "USD", started[j],
                     ended[j], reason, created[j], created[j]))  # fmt: skip
    w.insert(Subscription, SUBSCRIPTION_FIELDS, rows)
