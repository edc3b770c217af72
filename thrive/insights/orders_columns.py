"""Which column of an order export holds the customer, the date, the amount, and so on.

A role is either named by the person (``--customer "Email"`` or a 1-based position such as
``--customer 1`` for files without a header) or recognised from common header names in
shop, till and accounting exports. Header matching ignores case, spaces and punctuation,
so "Order Date", "order_date" and "ORDERDATE" are the same name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "ALIASES",
    "REVENUE_CHOICES",
    "ROLE_USES",
    "OPTIONAL_ROLES",
    "REQUIRED_ROLES",
    "ColumnError",
    "ColumnMap",
    "looks_like_header",
    "normalise_header",
    "resolve_columns",
]

REQUIRED_ROLES = ("customer", "date", "amount")
OPTIONAL_ROLES = (
    "order",
    "channel",
    "product",
    "currency",
    "quantity",
    "status",
    "refunded",
    "cancelled",
    "name",
)
# What each role is used for, in the words the report shows next to the column.
ROLE_USES: Mapping[str, str] = {
    "customer": "customer",
    "date": "order date",
    "amount": "amount (revenue)",
    "order": "order id (groups line items, nets refunds)",
    "channel": "channel of the customer's first order",
    "product": "product (baskets for cross-sell)",
    "currency": "currency of each order",
    "quantity": "quantity (multiplies the line price)",
    "status": "status (voided, cancelled and refunded orders left out)",
    "refunded": "refunded amount (taken off the order once)",
    "cancelled": "cancelled date (cancelled orders left out)",
    "name": "customer name (shown with the customer)",
}
# Amount columns that hold an order-level figure: in a line-item export they are printed on
# an order's first line (or repeated on each) and must be counted once per order.
ORDER_LEVEL_AMOUNTS = frozenset(
    {
        "total",
        "ordertotal",
        "totalprice",
        "grandtotal",
        "totalamount",
        "orderamount",
        "subtotal",
        "ordersubtotal",
        "subtotalprice",
        "netsales",
        "amountpaid",
        "paymentamount",
    }
)
SUBTOTAL_NAMES = ("subtotal", "ordersubtotal", "subtotalprice", "netsales")
REVENUE_CHOICES = ("total", "subtotal")

# Earlier names win when a file has several (a "Total" beats a "Subtotal" beats a "Price").
ALIASES: Mapping[str, tuple[str, ...]] = {
    "customer": (
        "customerid",
        "customer",
        "customeremail",
        "email",
        "emailaddress",
        "clientid",
        "client",
        "clientemail",
        "buyerid",
        "buyer",
        "buyeremail",
        "userid",
        "memberid",
        "customernumber",
        "customerno",
        "contactid",
        "custid",
        "accountid",
        "shopperid",
        "loyaltyid",
        "cardid",
        # French, German, Spanish/Italian/Portuguese, Dutch exports
        "idclient",
        "kunde",
        "kundennummer",
        "kundenid",
        "cliente",
        "idcliente",
        "klant",
        "klantnummer",
    ),
    "date": (
        "orderdate",
        "date",
        "createdat",
        "created",
        "ordercreatedat",
        "purchasedate",
        "transactiondate",
        "saledate",
        "invoicedate",
        "paidat",
        "processedat",
        "datetime",
        "timestamp",
        "ordertime",
        "time",
        "day",
        "datecommande",
        "datum",
        "bestelldatum",
        "fecha",
        "fechapedido",
        "data",
        "datapedido",
    ),
    "amount": (
        "total",
        "ordertotal",
        "totalprice",
        "grandtotal",
        "totalamount",
        "orderamount",
        "amount",
        "netsales",
        "revenue",
        "sales",
        "dollarvalue",
        "value",
        "amountpaid",
        "paymentamount",
        "saleamount",
        "linetotal",
        "subtotal",
        "lineitemprice",
        "unitprice",
        "price",
        "montant",
        "montantttc",
        "betrag",
        "gesamtbetrag",
        "importe",
        "importo",
        "valor",
        "bedrag",
        "totaal",
    ),
    "order": (
        "orderid",
        "order",
        "ordernumber",
        "orderno",
        "invoiceid",
        "invoiceno",
        "invoicenumber",
        "invoice",
        "transactionid",
        "receiptid",
        "receiptnumber",
        "receipt",
        "ticketid",
        "ticket",
        "commande",
        "numerocommande",
        "bestellnummer",
        "bestellung",
        "pedido",
        "ordine",
        "bestelling",
    ),
    "channel": (
        "channel",
        "saleschannel",
        "acquisitionchannel",
        "source",
        "sourcename",
        "utmsource",
        "referrer",
        "medium",
    ),
    "product": (
        "product",
        "productname",
        "producttitle",
        "lineitemname",
        "itemname",
        "item",
        "productid",
        "sku",
        "stockcode",
        "description",
        "title",
    ),
    "currency": ("currency", "currencycode", "presentmentcurrency"),
    "quantity": ("quantity", "qty", "lineitemquantity", "units", "numberofitems"),
    "status": ("financialstatus", "orderstatus", "paymentstatus", "status"),
    "refunded": (
        "refundedamount",
        "amountrefunded",
        "totalrefunded",
        "refundamount",
        "refundtotal",
        "refunded",
    ),
    "cancelled": (
        "cancelledat",
        "canceledat",
        "cancelleddate",
        "cancelled",
        "canceled",
        "voidedat",
    ),
    "name": (
        "billingname",
        "customername",
        "fullname",
        "shippingname",
        "contactname",
        "clientname",
        "buyername",
    ),
}

# What the "missing column" message says we looked for.
_EXAMPLES = {
    "customer": "customer_id, email, customer, client",
    "date": "order_date, date, created_at, invoice_date",
    "amount": "total, amount, revenue, price",
}

# An amount column with one of these names is a unit price: a quantity column multiplies it.
UNIT_PRICE_NAMES = frozenset({"lineitemprice", "unitprice", "price"})


def normalise_header(name: str) -> str:
    """Lower-case ``name`` and drop everything but letters and digits."""
    return re.sub(r"[^0-9a-z]", "", name.strip().lower())


class ColumnError(ValueError):
    """A role's column cannot be found; the message names it and lists the headers."""


@dataclass(frozen=True)
class ColumnMap:
    """0-based column index and display label for each role found (absent roles missing).

    ``ignored`` lists the labels of the columns no role reads: nothing is ever taken from
    them. ``order_level_amount`` is True when the amount is an order-level figure in a
    line-item export (taken once per order); ``shop_layout`` when the file has line-item
    columns (``Lineitem price`` and the like).
    """

    index: Mapping[str, int]
    label: Mapping[str, str]
    multiply_by_quantity: bool
    ignored: tuple[str, ...] = ()
    order_level_amount: bool = False
    shop_layout: bool = False
    line_price_label: str | None = None  # a line price column left unused beside a total
    tax_shipping_labels: tuple[str, ...] = ()  # "Taxes", "Shipping" columns, when present

    def __contains__(self, role: object) -> bool:
        return role in self.index


def looks_like_header(first_row: Sequence[str], requested: Mapping[str, str | None]) -> bool:
    """True when ``first_row`` names a column (by alias or by a name the person gave)."""
    cells = {normalise_header(c) for c in first_row}
    wanted = {normalise_header(v) for v in requested.values() if v and not v.isdigit()}
    if cells & wanted:
        return True
    return any(cells & set(names) for names in ALIASES.values())


def _headers_found(headers: Sequence[str] | None, width: int) -> str:
    if headers is None:
        return f"the file has no header row; it has {width} columns, numbered 1 to {width}"
    shown = ", ".join(f'"{h}"' for h in headers)
    return f"headers found: {shown}"


_TAX_SHIPPING = frozenset(
    {"taxes", "tax", "totaltax", "taxamount", "vat", "shipping", "shippingcost", "totalshipping"}
)


def resolve_columns(
    headers: Sequence[str] | None,
    width: int,
    requested: Mapping[str, str | None],
    *,
    revenue: str | None = None,
) -> ColumnMap:
    """Map each role to a column.

    ``headers`` is the header row, or None for a file without one (then every required role
    must be given as a 1-based position). ``requested`` maps a role to what the person
    passed (a header name or a position) or None. ``revenue`` "subtotal" prefers a
    subtotal column (products after discounts, without taxes and shipping) over a total.
    Raises :class:`ColumnError` naming the missing role(s) and listing what the file has.
    """
    if revenue is not None and revenue not in REVENUE_CHOICES:
        raise ColumnError(f"--revenue must be one of {', '.join(REVENUE_CHOICES)}, not {revenue!r}")
    index: dict[str, int] = {}
    label: dict[str, str] = {}
    normalised = [normalise_header(h) for h in headers] if headers is not None else []
    # A shop's line-item export (one row per line, "Lineitem price", "Lineitem quantity")
    # names its order number "Name" ("#1001"); elsewhere "Name" is a person's name.
    shop_layout = any(n.startswith("lineitem") for n in normalised)
    problems: list[str] = []
    for role in (*REQUIRED_ROLES, *OPTIONAL_ROLES):
        given = requested.get(role)
        if given:
            found = _find_given(given, headers, normalised, width)
            if found is None:
                problems.append(f'--{role} "{given}" matches no column')
                continue
        elif headers is not None:
            aliases = ALIASES[role]
            if role == "order" and shop_layout:
                aliases = (*aliases, "name")
            if role == "amount" and revenue == "subtotal":
                aliases = SUBTOTAL_NAMES
            found = _find_alias(aliases, normalised, set(index.values()))
            if found is None:
                if role == "amount" and revenue == "subtotal":
                    problems.append(
                        "--revenue subtotal: no subtotal column (looked for Subtotal, "
                        "Net sales; name one with --amount)"
                    )
                elif role in REQUIRED_ROLES:
                    problems.append(
                        f"no {role} column (looked for {_EXAMPLES[role]}, …; name it with --{role})"
                    )
                continue
        else:
            if role in REQUIRED_ROLES:
                problems.append(f"no {role} column: give its position, e.g. --{role} 1")
            continue
        index[role] = found
        label[role] = headers[found] if headers is not None else f"column {found + 1}"
    if problems:
        raise ColumnError("; ".join(problems) + " — " + _headers_found(headers, width))
    amount_name = normalised[index["amount"]] if headers is not None else ""
    order_level = shop_layout and "order" in index and amount_name in ORDER_LEVEL_AMOUNTS
    multiply = (
        not order_level
        and "quantity" in index
        and (amount_name in UNIT_PRICE_NAMES or bool(requested.get("quantity")))
    )
    if not multiply:
        # A quantity column next to a total is just information; don't report it as used.
        index.pop("quantity", None)
        label.pop("quantity", None)
    line_price = None
    taxes: list[str] = []
    if headers is not None:
        for i, n in enumerate(normalised):
            if order_level and n in UNIT_PRICE_NAMES and line_price is None:
                line_price = headers[i]
            if n in _TAX_SHIPPING:
                taxes.append(headers[i])
    used = set(index.values())
    ignored = tuple(
        (headers[i].strip() or f"column {i + 1}") if headers is not None else f"column {i + 1}"
        for i in range(width)
        if i not in used
    )
    return ColumnMap(
        index,
        label,
        multiply,
        ignored=ignored,
        order_level_amount=order_level,
        shop_layout=shop_layout,
        line_price_label=line_price,
        tax_shipping_labels=tuple(taxes),
    )


def _find_given(
    given: str, headers: Sequence[str] | None, normalised: Sequence[str], width: int
) -> int | None:
    if headers is not None:
        for i, h in enumerate(headers):
            if h.strip() == given.strip():
                return i
        target = normalise_header(given)
        for i, n in enumerate(normalised):
            if n == target and n:
                return i
    if given.strip().isdigit() and 1 <= int(given) <= width:
        return int(given) - 1
    return None


def _find_alias(aliases: Sequence[str], normalised: Sequence[str], taken: set[int]) -> int | None:
    for alias in aliases:
        for i, n in enumerate(normalised):
            if n == alias and i not in taken:
                return i
    return None
