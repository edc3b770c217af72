"""``thrive report ORDERS.csv``: one offline HTML growth report from an order export.

Exit codes: 0 report written; 2 usage or input problem (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from thrive.insights.orders_columns import REVENUE_CHOICES, ROLE_USES
from thrive.insights.orders_csv import OrderRows, OrdersFileError, read_order_rows
from thrive.insights.report.build import build_report
from thrive.insights.report.memory import map_large_blocks
from thrive.insights.report.render import render_html
from thrive.insights.report.sections import Report, Unavailable

__all__ = ["main"]

PROG = "thrive report"
SHOWN_IN_TERMINAL = 10

EPILOG = """\
Columns are found by their header names (customer_id/email/customer, order_date/date/
created_at, total/amount/price, order_id, product, channel, currency...). Name them with the
flags, by header or by 1-based position for files without a header:
  thrive report CDNOW_master.txt
  thrive report CDNOW_sample.txt --customer 1 --date 3 --amount 5 --delimiter whitespace
Negative amounts are refunds: netted into their order when there is an order column,
otherwise skipped with a reason. Every skipped row is counted and listed in the report.
Only recognised columns are read; the others (notes, gift messages...) are listed as ignored.
Shop line-item exports (Name = #1001, Lineitem price, Total, Refunded Amount, Cancelled at)
are read as they are: the order total counts once per order, refunds come off it, voided
and cancelled orders are left out. A file in several currencies gets exact figures per
currency; the other sections use the main currency (the one with the most orders).
"""


class _Usage(Exception):
    """Raised by the parser instead of exiting, so main() can return 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Write a self-contained, offline HTML growth report from an order export.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("orders", metavar="ORDERS.csv", help="order export (CSV, TSV or text)")
    cols = p.add_argument_group("columns (header name or 1-based position)")
    cols.add_argument("--customer", metavar="COL", help="customer id or e-mail")
    cols.add_argument("--date", metavar="COL", help="order date")
    cols.add_argument("--amount", metavar="COL", help="order or line amount")
    cols.add_argument("--order", metavar="COL", help="order id (groups line items, nets refunds)")
    cols.add_argument("--channel", metavar="COL", help="sales or acquisition channel")
    cols.add_argument("--product", metavar="COL", help="product name or SKU (cross-sell rules)")
    cols.add_argument("--currency", metavar="COL", help="currency code of each row")
    cols.add_argument("--quantity", metavar="COL", help="quantity that multiplies a unit price")
    cols.add_argument("--status", metavar="COL", help="order status (voided/cancelled skipped)")
    cols.add_argument("--refunded", metavar="COL", help="refunded amount, taken off its order once")
    cols.add_argument(
        "--cancelled", metavar="COL", help="cancelled date (cancelled orders skipped)"
    )
    cols.add_argument("--name", metavar="COL", help="customer name, shown beside the customer")
    reading = p.add_argument_group("reading")
    reading.add_argument(
        "--date-format",
        metavar="FMT",
        help="strptime format such as %%d/%%m/%%Y (default: detected)",
    )
    reading.add_argument(
        "--delimiter",
        metavar="D",
        help="one character, 'tab' or 'whitespace' (default: sniffed)",
    )
    reading.add_argument(
        "--no-header", action="store_true", help="the first row is data, not column names"
    )
    reading.add_argument(
        "--revenue",
        choices=REVENUE_CHOICES,
        default="total",
        help="which order amount is revenue when the file has both: the order total "
        "(with taxes and shipping; the default) or the subtotal (products after discounts)",
    )
    reading.add_argument(
        "--currency-filter",
        metavar="CODE",
        help="keep only rows in this currency (by default a file in several currencies gets "
        "figures per currency, and the main one is analysed)",
    )
    out = p.add_argument_group("report")
    out.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        default="report.html",
        help="where to write the HTML (default: report.html)",
    )
    out.add_argument(
        "--holdout-weeks",
        metavar="N",
        type=_positive_int,
        help="weeks at the end kept back to check the model (default: half the data, ≤ 52)",
    )
    out.add_argument("--title", help="report title")
    out.add_argument("--quiet", "-q", action="store_true", help="no summary, no progress bar")
    return p


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the process exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except _Usage as exc:
        print(f"{PROG}: error: {exc} (see {PROG} --help)", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    return _run(args, sys.stdout, sys.stderr)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    started = time.perf_counter()
    progress = not args.quiet
    # A command-line run owns its process: large arrays go back to the system when freed.
    map_large_blocks()
    try:
        rows = read_order_rows(
            args.orders,
            customer=args.customer,
            date=args.date,
            amount=args.amount,
            order=args.order,
            channel=args.channel,
            product=args.product,
            currency=args.currency,
            quantity=args.quantity,
            status=args.status,
            refunded=args.refunded,
            cancelled=args.cancelled,
            name=args.name,
            revenue=args.revenue,
            currency_filter=args.currency_filter,
            date_format=args.date_format,
            delimiter=args.delimiter,
            has_header=False if args.no_header else None,
            progress=progress,
        )
        read_seconds = time.perf_counter() - started
        report = build_report(
            rows,
            file_name=Path(args.orders).name,
            holdout_weeks=args.holdout_weeks,
            title=args.title,
            progress=progress,
            release_rows=True,
        )
    except OrdersFileError as exc:
        print(f"{PROG}: error: {exc}", file=err)
        return 2
    except ValueError as exc:  # e.g. every order fully refunded
        print(f"{PROG}: error: {args.orders}: {exc}", file=err)
        return 2
    html = render_html(report)
    output = Path(args.output)
    try:
        output.write_text(html, encoding="utf-8")
    except OSError as exc:
        print(f"{PROG}: error: cannot write {output}: {exc.strerror or exc}", file=err)
        return 2
    if not args.quiet:
        _summary(
            rows,
            report,
            output,
            len(html.encode()),
            time.perf_counter() - started,
            out,
            read_seconds=read_seconds,
        )
    return 0


def duration(seconds: float) -> str:
    """``"0.4 s"``, ``"42 s"``, ``"1 min 12 s"``, ``"1 h 3 min"``: how long, for people."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _summary(
    rows: OrderRows,
    report: Report,
    output: Path,
    size: int,
    seconds: float,
    out: TextIO,
    *,
    read_seconds: float | None = None,
) -> None:
    k = report.kpis
    delimiter = {"\t": "tab", "whitespace": "spaces"}.get(rows.delimiter, rows.delimiter)
    cols = ", ".join(f'"{label}" as {ROLE_USES[role]}' for role, label in rows.columns.items())
    ignored = ", ".join(f'"{c}"' for c in rows.ignored_columns)
    lines = [
        f"Read {report.source.file_name}: {rows.rows_read:,} rows, {rows.rows_accepted:,} used, "
        f"{rows.rows_skipped:,} skipped ({rows.encoding}, {delimiter!r}, dates "
        f"{rows.date_format})",
        f"Columns used: {cols}",
    ]
    if ignored:
        lines.append(f"Columns ignored (nothing read from them): {ignored}")
    if rows.revenue_basis:
        lines.append(rows.revenue_basis)
    for c in report.currencies:
        lines.append(
            f"{c.code}: {c.customers:,} customer{'' if c.customers == 1 else 's'}, "
            f"{c.orders:,} order{'' if c.orders == 1 else 's'}, revenue "
            f"{c.revenue:,.2f} {c.code}{' (main currency)' if c.main else ''}"
        )
    if report.currency_scope:
        lines.append(report.currency_scope)
    lines.append(
        f"{k.customers:,} customers, {k.orders:,} orders, revenue {k.revenue:,.2f}"
        f"{' ' + report.currency if report.currency else ''}, {k.first_date} to {k.last_date}"
    )
    if rows.rows_skipped:
        lines.append("Skipped rows by reason:")
        lines += [f"  {n:>8,}  {reason}" for reason, n in rows.skipped_by_reason.items()]
        shown = rows.skipped[:SHOWN_IN_TERMINAL]
        lines.append(
            f"First {len(shown)} skipped rows (all {len(rows.skipped):,} listed in the report):"
            if len(rows.skipped) > len(shown)
            else "Skipped rows:"
        )
        lines += [f"  {s}" for s in shown]
    lines += [f"Note: {n}" for n in rows.notes]
    missing = [
        (name, section.reason)
        for name, section in (
            ("trend", report.trend),
            ("cohorts", report.cohorts),
            ("segments", report.rfm),
            ("customer value", report.clv),
            ("at risk", report.at_risk),
            ("cross-sell", report.cross_sell),
            ("model check", report.model_check),
        )
        if isinstance(section, Unavailable)
    ]
    lines += [f"Not in the report: {name} — {reason}" for name, reason in missing]
    if read_seconds is not None:
        rate = f" ({rows.rows_read / read_seconds:,.0f} rows/s)" if read_seconds > 0 else ""
        lines.append(
            f"Read {rows.rows_read:,} rows in {duration(read_seconds)}{rate}, analysed them "
            f"in {duration(max(seconds - read_seconds, 0.0))}"
        )
    lines.append(f"Wrote {output} ({size / 1024:,.0f} KiB) in {duration(seconds)}")
    print("\n".join(lines), file=out)
