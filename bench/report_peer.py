"""The reference peer for the `thrive report` benchmark: the same headline aggregation with
pandas, reading the export in chunks (run in bench/.venv-peers, which has pandas).

Shopify rules, as Thrive's reader applies them to this export: the order-level "Total" is
on an order's first line; voided and refunded (status) and cancelled orders are not sales;
"Refunded Amount" comes off its order; an order whose net is not above zero is not a
purchase. Prints JSON: per currency the orders, customers and revenue; the main currency's
revenue per month; rows read.
"""

from __future__ import annotations

import json
import sys

import pandas as pd

COLUMNS = [
    "Name",
    "Email",
    "Financial Status",
    "Currency",
    "Total",
    "Created at",
    "Cancelled at",
    "Refunded Amount",
]
EXCLUDED = {"void", "voided", "cancelled", "canceled", "failed", "declined", "refunded"}


def main(path: str, chunksize: int = 1_000_000) -> dict:
    rows = 0
    totals: list[pd.DataFrame] = []
    buyers: dict[str, set[str]] = {}
    for chunk in pd.read_csv(
        path,
        usecols=COLUMNS,
        chunksize=chunksize,
        dtype={"Name": str, "Email": str, "Financial Status": str, "Currency": str},
    ):
        rows += len(chunk)
        first = chunk[chunk["Total"].notna()]
        status = first["Financial Status"].fillna("").str.lower()
        sale = first[~status.isin(EXCLUDED) & first["Cancelled at"].isna()]
        net = (sale["Total"] - sale["Refunded Amount"].fillna(0)).round(6)
        sale = sale.assign(net=net, month=sale["Created at"].str[:7])
        sale = sale[sale["net"] > 0]
        totals.append(
            sale.groupby(["Currency", "month"])["net"].agg(["sum", "count"]).reset_index()
        )
        for code, emails in sale.groupby("Currency")["Email"]:
            buyers.setdefault(str(code), set()).update(emails.str.lower().tolist())
    table = pd.concat(totals).groupby(["Currency", "month"]).sum().reset_index()
    per = table.groupby("Currency").agg(orders=("count", "sum"), revenue=("sum", "sum"))
    main_code = str(per["orders"].idxmax())
    monthly = table[table["Currency"] == main_code].set_index("month")["sum"]
    return {
        "rows": rows,
        "main": main_code,
        "currencies": {
            str(code): {
                "orders": int(r.orders),
                "customers": len(buyers[str(code)]),
                "revenue": round(float(r.revenue), 2),
            }
            for code, r in per.iterrows()
        },
        "monthly_revenue": {str(m): round(float(v), 2) for m, v in monthly.items()},
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
