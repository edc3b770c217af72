"""Compute every section of the report from the rows of an order export.

:func:`build_report` is pure computation (no HTML): it returns a frozen
:class:`~thrive.insights.report.sections.Report`. A section the data cannot support (no
product column, too few repeat customers for the models, a model that fails to converge)
becomes :class:`~thrive.insights.report.sections.Unavailable` with the reason, so one weak
section never costs the owner the rest of the report. ``strict=True`` (used by the tests)
lets those errors propagate instead.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np

from thrive.insights.orders_aggregate import Orders, aggregate_orders, latest_day
from thrive.insights.orders_csv import OrderRows
from thrive.insights.report import descriptive, predictive
from thrive.insights.report.customers import customer_totals
from thrive.insights.report.memory import give_back_freed
from thrive.insights.report.sections import (
    AtRisk,
    ClvSection,
    CrossSell,
    CurrencyRow,
    ModelCheck,
    Report,
    SourceInfo,
    Trend,
    Unavailable,
)

__all__ = ["build_report"]

# Errors that mean "the data can't support this section", not "the code is wrong".
# ImportError covers an analytics module that is not installed in this build.
SECTION_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    ArithmeticError,
    np.linalg.LinAlgError,
    RuntimeError,
    ImportError,
)

_STEPS = ("orders", "KPIs", "trend", "cohorts", "segments", "models", "holdout", "cross-sell")


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str], None]]:
    """A tqdm bar over the computation steps, on stderr, only for runs long enough."""
    if not enabled:
        yield lambda _name: None
        return
    from tqdm import tqdm

    bar = tqdm(
        total=len(_STEPS), desc="analysing", unit="step", file=sys.stderr, delay=0.5, leave=False
    )

    started = [False]

    def step(name: str) -> None:
        """Mark the previous step done and show the one starting now."""
        if started[0]:
            bar.update(1)
        started[0] = True
        # refresh=False: a forced redraw would show the bar before its 0.5 s delay.
        bar.set_postfix_str(name, refresh=False)

    try:
        yield step
        bar.update(bar.total - bar.n)
    finally:
        bar.close()


def _section[T](compute: Callable[[], T], strict: bool) -> T | Unavailable:
    if strict:
        return compute()
    try:
        return compute()
    except predictive.ModelUnavailable as exc:
        return Unavailable(str(exc))
    except SECTION_ERRORS as exc:
        return Unavailable(f"{type(exc).__name__}: {exc}")


def build_report(
    rows: OrderRows,
    *,
    file_name: str,
    holdout_weeks: int | None = None,
    title: str | None = None,
    strict: bool = False,
    progress: bool = False,
    now: datetime | None = None,
    release_rows: bool = False,
) -> Report:
    """All sections for ``rows`` (see the module docstring for failure handling).

    ``release_rows``: the caller needs only what describes the file afterwards (counts,
    columns, skipped rows), so the per-row columns are dropped once the orders are
    aggregated; on a 10,000,000-row export that is ~330 MB the analysis does not carry.

    A file in several currencies gets exact figures per currency (:class:`CurrencyRow`);
    every other section uses the main currency's orders only (amounts are never converted).
    """
    file_rows = rows
    with _progress(progress) as step:
        step("orders")
        if release_rows:
            rows.release_order_ids()
        currencies, main, scope = _split_currencies(rows)
        orders, last = main if main is not None else _aggregate(rows)
        del main
        if release_rows:
            rows.release_columns()
            # The order-id labels (made on demand, unused by the report) hold the table of
            # every order id; drop it with the rows.
            orders = replace(orders, labels=_no_labels)
            give_back_freed()
        if orders.amounts.size == 0:
            raise ValueError("no purchases left after netting refunds")
        totals = customer_totals(orders)
        first = orders.dates.min()
        step("KPIs")
        kpis = descriptive.compute_kpis(orders, totals, last)
        step("trend")
        trend = _section(lambda: descriptive.compute_trend(orders, kpis.last_date), strict)
        if not isinstance(trend, Unavailable):
            trend = _with_forecast(trend, orders, strict)
        step("cohorts")
        cohorts = _section(lambda: descriptive.compute_cohorts(orders, last), strict)
        step("segments")
        rfm = _section(lambda: descriptive.compute_rfm(totals, last), strict)
        step("models")
        model = _section(lambda: predictive.fit_customer_model(orders, last), strict)
        clv: ClvSection | Unavailable
        at_risk: AtRisk | Unavailable
        if isinstance(model, Unavailable):
            clv = at_risk = model
        else:
            clv = _section(lambda: predictive.compute_clv(model), strict)
            at_risk = _section(
                lambda: predictive.compute_at_risk(
                    model, totals, file_rows.customer_names, orders.customer_names
                ),
                strict,
            )
        channels = predictive.compute_channels(
            orders, totals, None if isinstance(model, Unavailable) else model
        )
        step("holdout")
        weeks = (
            holdout_weeks
            if holdout_weeks is not None
            else predictive.default_holdout_weeks(first, last)
        )
        check: ModelCheck | Unavailable = _section(
            lambda: predictive.compute_model_check(orders, first, last, weeks), strict
        )
        step("cross-sell")
        cross = _cross_sell(orders, strict)
    stamp = (now or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M")
    return Report(
        title=title or f"Growth report — {file_name}",
        generated=stamp,
        currency=_main_code(currencies) or file_rows.currency,
        source=_source(file_rows, orders, file_name),
        kpis=kpis,
        trend=trend,
        cohorts=cohorts,
        rfm=rfm,
        clv=clv,
        at_risk=at_risk,
        cross_sell=cross,
        model_check=check,
        channels=channels,
        warnings=_warnings(file_rows) + _small_file(kpis.orders, kpis.customers),
        currencies=currencies,
        currency_scope=scope,
    )


def _no_labels() -> np.ndarray:
    raise ValueError("the order ids were released with the rows")


def _people(n: int) -> str:
    return "customer" if n == 1 else "customers"


def _main_code(currencies: tuple[CurrencyRow, ...]) -> str | None:
    return next((c.code for c in currencies if c.main), None)


def _aggregate(rows: OrderRows, keep: np.ndarray | None = None) -> tuple[Orders, np.datetime64]:
    """The orders of ``rows`` (where ``keep``) and the latest date in them.

    The rows cover up to their latest date of any kind (a refund, a voided order's netted
    lines), not just their latest purchase.
    """
    return aggregate_orders(rows, keep), np.datetime64(latest_day(rows, keep), "D")


def _split_currencies(
    rows: OrderRows,
) -> tuple[tuple[CurrencyRow, ...], tuple[Orders, np.datetime64] | None, str]:
    """Exact per-currency figures, the main currency's orders, and a sentence on the scope.

    The main currency is the one with the most orders (ties: alphabetical). Each
    currency's rows are selected and aggregated in turn, and only the main one's orders
    are kept, so a big export is never held twice.
    """
    if rows.currency_codes is None or rows.currency_table is None:
        return (), None, ""
    codes, table = rows.currency_codes, rows.currency_table
    figures: list[tuple[str, int, int, float, np.ndarray]] = []
    main_orders: tuple[Orders, np.datetime64] | None = None
    best: tuple[int, str] | None = None
    # Rows without a currency count in the main one: their table entry names it, so codes
    # with the same name are one currency.
    for code in sorted({str(c) for c in table.tolist()}):
        aggregated = _aggregate(rows, np.isin(codes, np.flatnonzero(table == code)))
        orders = aggregated[0]
        buyers = np.unique(orders.customer_codes)
        figures.append(
            (code, int(orders.amounts.size), int(buyers.size), orders.net_revenue, buyers)
        )
        key = (-int(orders.amounts.size), code)
        if best is None or key < best:
            best, main_orders = key, aggregated
        del orders, aggregated
    main = min(figures, key=lambda f: (-f[1], f[0]))
    table_rows = tuple(
        CurrencyRow(code=c, orders=n, customers=k, revenue=r, main=c == main[0])
        for c, n, k, r, _ in sorted(figures, key=lambda f: (-f[1], f[0]))
    )
    others = np.unique(np.concatenate([f[4] for f in figures if f[0] != main[0]] or [main[4][:0]]))
    only_other = int(np.setdiff1d(others, main[4], assume_unique=True).size)
    both = int(others.size) - only_other
    scope = (
        f"Amounts in different currencies can't be added up, so every section below uses the "
        f"{main[1]:,} order{'' if main[1] == 1 else 's'} in {main[0]}, the main currency: the "
        f"models (BG/NBD and Gamma-Gamma) see the {main[2]:,} {_people(main[2])} with orders "
        f"in {main[0]}, counting only those orders."
        + (
            f" {only_other:,} {_people(only_other)} bought only in other currencies and "
            f"{'is' if only_other == 1 else 'are'} not in them."
            if only_other
            else ""
        )
        + (
            f" {both:,} {_people(both)} bought in {main[0]} and another currency; only their "
            f"{main[0]} orders count."
            if both
            else ""
        )
    )
    return table_rows, main_orders, scope


def _with_forecast(trend: Trend, orders: Orders, strict: bool) -> Trend:
    """The trend with its forecast; a forecast that fails costs only the forecast."""
    result = _section(lambda: predictive.add_forecast(trend, orders), strict)
    if isinstance(result, Unavailable):
        return replace(trend, forecast_note=f"No forecast: {result.reason}.")
    return result


def _cross_sell(orders: Orders, strict: bool) -> CrossSell | Unavailable:
    # Not ``orders.baskets``: that builds a list of names per basket (millions of them).
    if orders.basket_ids is None or orders.basket_codes is None:
        return Unavailable(
            "the file has no product column (name one with --product to see which products "
            "are bought together)"
        )
    result = _section(lambda: descriptive.compute_cross_sell(orders), strict)
    if result is None:
        return Unavailable("the file has no product column")
    return result


def _source(rows: OrderRows, orders: Orders, file_name: str) -> SourceInfo:
    return SourceInfo(
        file_name=file_name,
        columns=dict(rows.columns),
        encoding=rows.encoding,
        delimiter=rows.delimiter,
        date_format=rows.date_format,
        rows_read=rows.rows_read,
        rows_accepted=rows.rows_accepted,
        rows_skipped=rows.rows_skipped,
        skipped=rows.skipped,
        skipped_by_reason=dict(rows.skipped_by_reason),
        blank_lines=rows.blank_lines,
        refund_lines=orders.refund_lines,
        fully_refunded_orders=orders.fully_refunded,
        refund_only_orders=int(orders.refund_amounts.size),
        notes=rows.notes,
        ignored_columns=rows.ignored_columns,
        revenue_basis=rows.revenue_basis,
        repeated_totals=rows.repeated_totals,
    )


# Skips that are decisions about sales (voided, cancelled, refunded, another currency),
# not problems with the file: they are listed in "Data used" but raise no warning.
_DELIBERATE_SKIPS = ("status ", "cancelled", "line of a voided order", "currency ")


def _small_file(orders: int, customers: int) -> tuple[str, ...]:
    """One plain sentence for a file too small for the models, instead of a page of gaps."""
    if customers >= predictive.MIN_CUSTOMERS:
        return ()
    return (
        f"This file has only {orders:,} order{'' if orders == 1 else 's'} from "
        f"{customers:,} customer{'' if customers == 1 else 's'}: the headline numbers are "
        f"exact, but the customer models need at least {predictive.MIN_CUSTOMERS} customers "
        "and the trend a few months of orders, so those sections say what they are missing.",
    )


def _warnings(rows: OrderRows) -> tuple[str, ...]:
    warnings = []
    problems = sum(
        n
        for reason, n in rows.skipped_by_reason.items()
        if not reason.split(": ", 1)[-1].startswith(_DELIBERATE_SKIPS)
    )
    if rows.rows_read and problems / rows.rows_read > 0.05:
        warnings.append(
            f"{problems:,} of {rows.rows_read:,} rows "
            f"({problems / rows.rows_read:.0%}) could not be read and were skipped; the "
            'numbers below leave them out. See "Data used" for the reasons.'
        )
    return tuple(warnings)


def report_file_name(path: str | Path) -> str:
    return Path(path).name
