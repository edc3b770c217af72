"""Importing a shop's orders: one row per line item, grouped into orders by their number.

Rules (also in docs/import.md):

* Rows with the same order number are the lines of one order. Order-level cells (email,
  date, currency, status, refunded amount) are read from the first row that has them, as
  shop exports print them only on an order's first line.
* An order is imported whole or not at all: one bad line rejects every row of its order,
  the bad cell with its reason and the others pointing at it.
* Status: paid/completed/fulfilled → completed; pending/authorized → pending;
  refunded; partially refunded; voided/cancelled → voided (kept, but never revenue).
  A negative line (quantity or price) is a refund line: it adds to the order's refunded
  amount instead of its total. A refund can never exceed the order's total.
* Money is exact (Decimal, at most two decimals) in the order's own currency; a file may
  mix currencies, each order keeps its own.
* An order number already in Thrive (from an earlier import or the shop sync) is skipped,
  so importing the same export twice changes nothing.
* The customer is found by email or created; a first order that counts as revenue makes a
  suspect, prospect or lost customer a client (the stage history says "order"). Each order
  is on the customer's timeline.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from thrive.commerce.models import (
    REVENUE_STATUSES,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    SalesChannel,
)
from thrive.contacts import lifecycle
from thrive.contacts.models import (
    ActivityChannel,
    ActivityKind,
    Direction,
    Person,
    Stage,
    StageCause,
    StageChange,
)
from thrive.core.money import CURRENCY_CODES

from . import sink
from .engine import Batch, Row, Run, reject
from .people import create_people, created_by_this_import, insert_activities, remember_before
from .values import CellError, clean_email, parse_datetime, parse_money, parse_quantity

ZERO = Decimal("0.00")
STATUS_BY_TEXT = {
    "paid": OrderStatus.COMPLETED,
    "completed": OrderStatus.COMPLETED,
    "complete": OrderStatus.COMPLETED,
    "fulfilled": OrderStatus.COMPLETED,
    "success": OrderStatus.COMPLETED,
    "succeeded": OrderStatus.COMPLETED,
    "closed": OrderStatus.COMPLETED,
    "pending": OrderStatus.PENDING,
    "authorized": OrderStatus.PENDING,
    "unpaid": OrderStatus.PENDING,
    "refunded": OrderStatus.REFUNDED,
    "partially_refunded": OrderStatus.PARTIALLY_REFUNDED,
    "partially refunded": OrderStatus.PARTIALLY_REFUNDED,
    "partially_paid": OrderStatus.PENDING,
    "voided": OrderStatus.VOIDED,
    "void": OrderStatus.VOIDED,
    "cancelled": OrderStatus.VOIDED,
    "canceled": OrderStatus.VOIDED,
}
CHANNEL_BY_TEXT = {
    "web": SalesChannel.ONLINE,
    "online": SalesChannel.ONLINE,
    "online store": SalesChannel.ONLINE,
    "shop": SalesChannel.ONLINE,
    "pos": SalesChannel.IN_STORE,
    "in store": SalesChannel.IN_STORE,
    "in_store": SalesChannel.IN_STORE,
    "store": SalesChannel.IN_STORE,
    "wholesale": SalesChannel.WHOLESALE,
    "subscription": SalesChannel.SUBSCRIPTION,
    "marketplace": SalesChannel.MARKETPLACE,
    "phone": SalesChannel.PHONE,
}
ORDER_FIELDS = (
    "email",
    "ordered_at",
    "currency",
    "status",
    "refunded",
    "channel",
    "first_name",
    "last_name",
    "full_name",
)


class _Order:
    """One order of the batch: assembled from its rows and checked, then handed to the
    writer (possibly from the reading process, so only plain values are kept)."""

    __slots__ = (
        "number",
        "pending",
        "rows",
        "head",
        "lines",
        "total",
        "refund_lines",
        "bad",
        "line_problems",
        "settled",
    )

    def __init__(self, number: str, fields: list[str]) -> None:
        self.number = number
        self.pending = list(fields)  # order-level columns no row has filled yet
        self.rows: list[int] = []  # row numbers
        self.head: dict[str, tuple[int, str]] = {}  # column: (row number, value)
        self.lines: list[tuple[Any, ...]] = []
        self.total = ZERO
        self.refund_lines = ZERO
        self.bad: list[tuple[int, str, str]] = []  # (row number, column, reason)
        self.line_problems = 0  # how many of ``bad`` come from the lines (the rest: the order)
        self.settled: dict[str, Any] | None = None  # the order's values, when it is good

    def value(self, name: str) -> str:
        return self.head[name][1] if name in self.head else ""

    def row_of(self, name: str) -> int:
        return self.head[name][0] if name in self.head else self.rows[0]


def _line(order: _Order, row: Row) -> None:
    v = row.values
    if not v.get("unit_price") and not v.get("quantity") and not v.get("description"):
        return  # an order-level row (shipping, a note) without an item
    try:
        quantity = parse_quantity(v.get("quantity", ""))
    except CellError as exc:
        order.bad.append((row.number, "quantity", str(exc)))
        return
    try:
        price = parse_money(v.get("unit_price", ""), allow_negative=True)
    except CellError as exc:
        order.bad.append((row.number, "unit_price", str(exc)))
        return
    try:
        discount = parse_money(v["discount"]) if v.get("discount") else ZERO
    except CellError as exc:
        order.bad.append((row.number, "discount", str(exc)))
        return
    if quantity == 0:
        order.bad.append((row.number, "quantity", "a line needs a quantity other than 0"))
        return
    amount = price * quantity
    if amount < 0:  # a refund line: it pays money back rather than selling
        order.refund_lines += -amount - discount
        return
    total = amount - discount
    if total < 0:
        order.bad.append(
            (row.number, "discount", f"the discount {discount} is larger than the line")
        )
        return
    sku, description = v.get("sku", "")[:64], v.get("description", "")[:255]
    # Money as the text the database stores: made here, in the reading process.
    order.lines.append((sku, description, quantity, str(price), str(discount), str(total)))
    order.total += total


def _assemble(run: Run, rows: list[Row], batch: Batch) -> list[_Order]:
    orders: dict[str, _Order] = {}
    # Only the order-level columns this file maps; each order stops looking for a value
    # once a row has given it.
    fields = [name for name in ORDER_FIELDS if name in run.header_of]
    for row in rows:
        values = row.values
        number = values.get("order_number", "")  # cells come trimmed
        if not number:
            reject(run, batch, row.number, "order_number", "no order number")
            continue
        if len(number) > 64:
            reject(run, batch, row.number, "order_number", "longer than 64 characters")
            continue
        order = orders.get(number)
        if order is None:
            order = orders[number] = _Order(number, fields)
        order.rows.append(row.number)
        if order.pending:
            for name in list(order.pending):
                value = values.get(name)
                if value:
                    order.head[name] = (row.number, value)
                    order.pending.remove(name)
        _line(order, row)
    return list(orders.values())


def check_orders(run: Run, rows: list[Row], batch: Batch) -> list[_Order]:
    """The batch's orders, each with its lines and, when good, its values (no database)."""
    orders = _assemble(run, rows, batch)
    for order in orders:
        order.line_problems = len(order.bad)
        order.settled = _settle(run, order)
        order.pending, order.head = [], {}  # read by now: nothing to carry to the writer
    return orders


def _settle(run: Run, order: _Order) -> dict[str, Any] | None:
    """Validate the order-level values; returns them or records why the order is bad."""
    out: dict[str, Any] = {"number": order.number}
    try:
        out["email"] = clean_email(order.value("email"))
    except ValidationError as exc:
        order.bad.append((order.row_of("email"), "email", exc.messages[0]))
    if not out.get("email") and "email" not in [b[1] for b in order.bad]:
        order.bad.append((order.rows[0], "email", "no customer email on any row of this order"))
    try:
        out["ordered_at"] = parse_datetime(
            order.value("ordered_at"), zone=run.zone, order=run.job.date_order
        )
    except CellError as exc:
        order.bad.append((order.row_of("ordered_at"), "ordered_at", str(exc)))
    currency = (order.value("currency") or run.job.default_currency).upper()
    if currency not in CURRENCY_CODES:
        order.bad.append(
            (
                order.row_of("currency"),
                "currency",
                f"{order.value('currency')!r} is not a currency code such as USD or EUR",
            )
        )
    out["currency"] = currency
    status_text = order.value("status").lower().replace("-", "_")
    status = STATUS_BY_TEXT.get(status_text) if status_text else OrderStatus.COMPLETED
    if status is None:
        order.bad.append(
            (
                order.row_of("status"),
                "status",
                f"{order.value('status')!r} is not a status Thrive knows "
                "(paid, pending, refunded, partially refunded, voided)",
            )
        )
    refunded = order.refund_lines
    if order.value("refunded"):
        try:
            refunded = max(refunded, parse_money(order.value("refunded")))
        except CellError as exc:
            order.bad.append((order.row_of("refunded"), "refunded", str(exc)))
    if not order.lines and not order.bad:
        order.bad.append((order.rows[0], "unit_price", "the order has no line with a price"))
    if status == OrderStatus.REFUNDED and not refunded:
        refunded = order.total
    if refunded > order.total:
        order.bad.append(
            (
                order.row_of("refunded"),
                "refunded",
                f"the refund {refunded} is more than the order total {order.total}",
            )
        )
    if status == OrderStatus.VOIDED and refunded:
        order.bad.append((order.row_of("status"), "status", "a refunded order cannot be voided"))
    if status in (OrderStatus.COMPLETED, None) and refunded:
        status = OrderStatus.REFUNDED if refunded == order.total else OrderStatus.PARTIALLY_REFUNDED
    out["status"], out["refunded"] = status, refunded
    channel_text = order.value("channel").lower().replace("_", " ")
    out["channel"] = (
        CHANNEL_BY_TEXT.get(channel_text, SalesChannel.OTHER)
        if channel_text
        else SalesChannel.ONLINE
    )
    if order.bad:
        return None
    out["first_name"], out["last_name"] = order.value("first_name"), order.value("last_name")
    out["full_name"] = order.value("full_name")
    return out


def _reject_order(run: Run, batch: Batch, order: _Order, bad: list[tuple[int, str, str]]) -> None:
    bad_rows = {number for number, _, _ in bad}
    for number, name, reason in bad:
        reject(run, batch, number, name, reason)
    first_bad = min(bad_rows)
    for number in order.rows:
        if number not in bad_rows:
            reject(
                run,
                batch,
                number,
                "",
                f"order {order.number} is not imported: row {first_bad} was rejected",
            )
    batch.add("order", "rejected")


def write_orders(run: Run, assembled: list[_Order], batch: Batch) -> None:
    # Orders already in Thrive: this import's own (lines far apart in the file) or others.
    known: dict[str, tuple[int, str]] = {}
    numbers = [o.number for o in assembled]
    for pk, number, source in sink.lookup(Order, "number", numbers, ["id", "number", "source"]):
        known[number] = (pk, source)
    seen = run.seen.find("order", numbers) if run.seen is not None else set()
    fresh: list[tuple[_Order, dict[str, Any]]] = []
    for order in assembled:
        mine = order.number in known and known[order.number][1] == run.ref
        if order.number in known and not mine:
            batch.add("order", "skipped: already in Thrive")
            batch.add("line", "skipped", len(order.lines))
            continue
        if mine or order.number in seen:  # more lines of an order an earlier batch created
            line_bad = order.bad[: order.line_problems]  # its order values were checked then
            if line_bad:
                _reject_order(run, batch, order, line_bad)
            elif mine:
                _append_lines(run, batch, known[order.number][0], order)
            else:
                batch.add("line", "created", len(order.lines))
            continue
        if order.settled is None:
            _reject_order(run, batch, order, order.bad)
        else:
            fresh.append((order, order.settled))
    if fresh:
        _create_orders(run, batch, fresh)


LINE_COLUMNS = [
    "order_id", "sku", "description", "quantity", "unit_price", "discount", "line_total",
    "product_id",
]  # fmt: skip


def _with_products(lines: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Each line (order id, SKU, …) with the catalogue product of its SKU, or None: so
    imported orders count for the "bought" segment rules and the product reports."""
    skus = sorted({line[1] for line in lines if line[1]})
    products = {sku: pk for pk, sku in sink.lookup(Product, "sku", skus, ["id", "sku"])}
    return [(*line, products.get(line[1])) for line in lines]


def _append_lines(run: Run, batch: Batch, order_id: int, order: _Order) -> None:
    sink.insert(
        OrderLine,
        LINE_COLUMNS,
        _with_products([(order_id, *line) for line in order.lines]),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Order._meta.db_table} SET total = total + %s, refunded = refunded + %s "  # noqa: S608
            "WHERE id = %s",
            [str(order.total), str(order.refund_lines), order_id],
        )
    batch.add("line", "created", len(order.lines))


def _customers(
    run: Run, batch: Batch, fresh: list[tuple[_Order, dict[str, Any]]]
) -> dict[str, int]:
    """Person id per email: found, or created with the order's names and earliest date."""
    wanted: dict[str, dict[str, Any]] = {}
    for _, values in fresh:
        email = values["email"]
        spec = wanted.setdefault(email, {"email": email, "first_seen_at": values["ordered_at"]})
        spec["first_seen_at"] = min(spec["first_seen_at"], values["ordered_at"])
        if values["status"] in REVENUE_STATUSES:
            spec["stage"] = Stage.CLIENT
        if not spec.get("first_name") and not spec.get("last_name"):
            first, last, full = values["first_name"], values["last_name"], values["full_name"]
            if full and not (first or last):
                first, _, last = full.rpartition(" ") if " " in full else (full, "", "")
            spec["first_name"], spec["last_name"] = first.strip()[:100], last.strip()[:100]
    # Only what _touch_existing compares: a model instance per customer costs more than
    # the rest of its order.
    found: dict[str, _Customer] = {}
    columns = ["id", "email", "first_seen_at", "stage", "stage_changed_at"]
    for pk, email, seen, stage, changed in sink.lookup(Person, "email", list(wanted), columns):
        found[email] = _Customer(pk, seen, stage, changed)
    new = [s for e, s in wanted.items() if e not in found]
    # A dry run creates them again (it rolls back), but counts only once those an earlier
    # batch made.
    again = len(run.seen.find("email", (s["email"] for s in new))) if run.seen is not None else 0
    ids = create_people(run, new, cause=StageCause.IMPORT)
    batch.add("person", "created", len(new) - again)
    batch.created_emails.extend(s["email"] for s in new)
    ids_by_email = {s["email"]: pk for s, pk in zip(new, ids, strict=True)}
    _touch_existing(run, batch, [(found[e], wanted[e]) for e in found])
    ids_by_email.update({e: c.pk for e, c in found.items()})
    return ids_by_email


class _Customer(NamedTuple):
    pk: int
    first_seen_at: Any
    stage: str
    stage_changed_at: Any


def _touch_existing(run: Run, batch: Batch, pairs: list[tuple[_Customer, dict[str, Any]]]) -> None:
    """Existing customers: first seen moves earlier, a first revenue order makes a client."""
    if not pairs:
        return
    mine = created_by_this_import(run, (c.pk for c, _ in pairs))
    # Each customer is counted once (found or updated) however many batches they are in.
    keys = [str(c.pk) for c, _ in pairs if c.pk not in mine]
    counted = run.met.find("customer", keys)
    run.met.add("customer", (k for k in keys if k not in counted))
    before: dict[int, dict[str, Any]] = {}
    earlier: list[Person] = []
    promote: list[tuple[_Customer, Any]] = []  # with when they became a client
    for person, spec in pairs:
        snap: dict[str, Any] = {}
        if spec["first_seen_at"] < person.first_seen_at:
            snap["first_seen_at"] = person.first_seen_at.isoformat()
            earlier.append(Person(pk=person.pk, first_seen_at=spec["first_seen_at"]))
        if spec.get("stage") == Stage.CLIENT and person.stage in lifecycle.ORDER_PROMOTES_FROM:
            snap.update(stage=person.stage, stage_changed_at=person.stage_changed_at.isoformat())
            promote.append((person, max(spec["first_seen_at"], person.stage_changed_at)))
        if person.pk in mine:
            continue  # created by an earlier batch of this file, and counted then
        if str(person.pk) not in counted:
            batch.add("person", "updated" if snap else "found")
        if snap:
            before[person.pk] = snap
    remember_before(run, "person", before)
    Person.objects.bulk_update(earlier, ["first_seen_at"], batch_size=500)
    _make_clients(run, promote)


def _make_clients(run: Run, people: list[tuple[_Customer, Any]]) -> None:
    """Move people to client at the given times, with the history and timeline entry
    ``Person.set_stage`` writes, as three set-wise writes instead of three per person."""
    if not people:
        return
    now = timezone.now()
    actor_id = run.actor.pk if run.actor is not None else None
    stamp = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Person._meta.db_table} SET stage = %s, stage_changed_at = %s, "  # noqa: S608
            "updated_at = %s WHERE id = %s",
            [(Stage.CLIENT, stamp(at), stamp(now), c.pk) for c, at in people],
        )
    sink.insert(
        StageChange,
        ["person_id", "from_stage", "to_stage", "changed_at", "cause", "actor_id", "note"],
        [
            (c.pk, c.stage, Stage.CLIENT, at, StageCause.ORDER, actor_id, run.note)
            for c, at in people
        ],
    )
    client = Stage.CLIENT.label
    insert_activities(
        [
            (
                c.pk,
                ActivityKind.STAGE_CHANGE,
                at,
                now,
                ActivityChannel.SYSTEM,
                Direction.INTERNAL,
                actor_id,
                False,
                f"{Stage(c.stage).label} → {client}",
                {"from": c.stage, "to": Stage.CLIENT, "cause": StageCause.ORDER},
                "",
            )
            for c, at in people
        ]
    )


def _create_orders(run: Run, batch: Batch, fresh: list[tuple[_Order, dict[str, Any]]]) -> None:
    people = _customers(run, batch, fresh)
    ids = sink.reserve_ids(Order, len(fresh))
    orders: list[Any] = []
    lines: list[Any] = []
    activities: list[Any] = []
    actor_id = run.actor.pk if run.actor is not None else None
    for pk, (order, v) in zip(ids, fresh, strict=True):
        person_id = people[v["email"]]
        orders.append(
            (
                pk,
                run.now,
                run.now,
                person_id,
                order.number,
                v["ordered_at"],
                v["status"],
                v["channel"],
                v["currency"],
                order.total,
                v["refunded"],
                run.ref,
            )
        )
        lines.extend((pk, *line) for line in order.lines)
        note = {OrderStatus.VOIDED: " (voided)", OrderStatus.PENDING: " (pending)"}.get(
            v["status"], ""
        )
        if v["refunded"]:
            note = f" (refunded {v['refunded']})"
        activities.append(
            (
                person_id,
                ActivityKind.ORDER,
                v["ordered_at"],
                run.now,
                ActivityChannel.WEB
                if v["channel"] == SalesChannel.ONLINE
                else ActivityChannel.IN_PERSON,
                Direction.INBOUND,
                actor_id,
                False,
                f"Order {order.number}: {order.total} {v['currency']}{note}"[:255],
                # Every value is a number, a checked code or a status: no escaping needed.
                sink.JSONText(
                    f'{{"order": {pk}, "total": "{order.total}", "currency": "{v["currency"]}", '
                    f'"refunded": "{v["refunded"]}", "status": "{v["status"]}", '
                    f'"import": {run.job.pk}}}'
                ),
                f"order:{pk}",
            )
        )
        batch.created_orders.append(order.number)
    sink.insert(
        Order,
        [
            "id",
            "created_at",
            "updated_at",
            "person_id",
            "number",
            "ordered_at",
            "status",
            "channel",
            "currency",
            "total",
            "refunded",
            "source",
        ],
        orders,
    )
    sink.insert(OrderLine, LINE_COLUMNS, _with_products(lines))
    insert_activities(activities)
    by_status: dict[str, int] = defaultdict(int)
    for _, v in fresh:
        by_status[v["status"]] += 1
    batch.add("order", "created", len(fresh))
    for status, n in by_status.items():
        batch.add("order status", OrderStatus(status).label.lower(), n)
    batch.add("line", "created", len(lines))
