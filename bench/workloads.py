"""One side of one benchmark, run in a child process by ``insights_bench.py``.

    python bench/workloads.py WORKLOAD SIDE DATA.npz OUT_PREFIX MAX_REPEAT BUDGET_SECONDS

Loads the data, imports only the side's own library, builds its inputs (not timed), then
times the workload up to MAX_REPEAT times (at least once, and not again once the next run
would take the total past BUDGET_SECONDS), and writes OUT_PREFIX.json (times, fitted
parameters, resident memory before the first run and the process's peak, VmHWM) plus
OUT_PREFIX.npz or OUT_PREFIX.pkl with larger outputs.

Sides: ``thrive`` (the insights core), ``lifetimes`` and ``mlxtend`` (black-box peers,
called through their public APIs with their default settings unless a comment says
otherwise).
"""

from __future__ import annotations

import json
import math
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from datasets import BGNBD_TRUTH, load

# Thrive's CLV months are 365.25 / 12 days; lifetimes' (freq="W") are 4.345 weeks.  Telling
# Thrive that a time unit lasts (365.25 / 12) / 4.345 days makes its month 4.345 units too,
# so both sides discount the same monthly increments.
LIFETIMES_MONTH_WEEKS = 4.345
UNIT_DAYS_LIFETIMES_MONTH = (365.25 / 12.0) / LIFETIMES_MONTH_WEEKS
HORIZON_MONTHS = 12
MONTHLY_DISCOUNT = 0.01
# The scoring's horizon for expected purchases: 90 days, in weeks.
PREDICT_HORIZON_WEEKS = 90.0 / 7.0
RULE_COLUMNS = (
    "antecedent support",
    "consequent support",
    "support",
    "confidence",
    "lift",
    "leverage",
    "conviction",
)

Run = Callable[[], tuple[Any, dict[str, float]]]
Finish = Callable[[Any], tuple[dict[str, Any], dict[str, np.ndarray], Any]]


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _status_mb(key: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS, VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def thrive_fit(model: str, params: dict[str, float]) -> Any:
    """An insights-core fit object holding given parameters (lifetimes' names accepted)."""
    from thrive.insights import BGNBDFit, GammaGammaFit, MBGNBDFit, ParetoNBDFit

    nan = math.nan
    if model == "gg":
        gamma = params["gamma"] if "gamma" in params else params["v"]
        return GammaGammaFit(
            p=params["p"],
            q=params["q"],
            gamma=gamma,
            log_likelihood=nan,
            aic=nan,
            bic=nan,
            n_customers=0,
        )
    if model == "pareto":
        r, alpha, s, beta = (params[k] for k in ("r", "alpha", "s", "beta"))
        return ParetoNBDFit(
            r=r, alpha=alpha, s=s, beta=beta, log_likelihood=nan, aic=nan, bic=nan, n_customers=0
        )
    cls = MBGNBDFit if model == "mbgnbd" else BGNBDFit
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    return cls(r=r, alpha=alpha, a=a, b=b, log_likelihood=nan, aic=nan, bic=nan, n_customers=0)


def _fit_info(params: dict[str, float], **extra: Any) -> dict[str, Any]:
    return {"params": {k: float(v) for k, v in params.items()}, **extra}


# --- Thrive ------------------------------------------------------------------------------


def thrive_model_fit(
    name: str, data: dict[str, np.ndarray], *, se: bool = False
) -> tuple[Run, Finish]:
    from thrive import insights

    fit = {
        "bgnbd": insights.fit_bgnbd,
        "mbgnbd": insights.fit_mbgnbd,
        "pareto": insights.fit_pareto_nbd,
    }[name]
    x, tx, big_t = data["x"], data["tx"], data["T"]

    def run() -> tuple[Any, dict[str, float]]:
        return fit(x, tx, big_t, standard_errors=se), {}

    def finish(result: Any) -> tuple[dict[str, Any], dict[str, np.ndarray], Any]:
        info = _fit_info(
            result.params,
            converged=bool(result.converged),
            log_likelihood_own=float(result.log_likelihood),
        )
        return info, {}, None

    return run, finish


def thrive_ggclv(data: dict[str, np.ndarray]) -> tuple[Run, Finish]:
    from thrive.insights import customer_lifetime_value, fit_gamma_gamma

    x, tx, big_t, m = data["x"], data["tx"], data["T"], data["m"]
    repeat = x > 0
    transactions = thrive_fit("bgnbd", BGNBD_TRUTH)

    def run() -> tuple[Any, dict[str, float]]:
        spend, t_fit = _timed(lambda: fit_gamma_gamma(x[repeat], m[repeat]))
        clv, t_clv = _timed(
            lambda: customer_lifetime_value(
                transactions,
                spend,
                x,
                tx,
                big_t,
                m,
                horizon_months=HORIZON_MONTHS,
                monthly_discount_rate=MONTHLY_DISCOUNT,
                unit_days=UNIT_DAYS_LIFETIMES_MONTH,
            )
        )
        return (spend, clv), {"Gamma-Gamma fit": t_fit, "CLV": t_clv}

    def finish(result: Any) -> tuple[dict[str, Any], dict[str, np.ndarray], Any]:
        spend, clv = result
        return _fit_info(spend.params, converged=bool(spend.converged)), {"clv": clv}, None

    return run, finish


def thrive_e2e(data: dict[str, np.ndarray]) -> tuple[Run, Finish]:
    """What ``thrive.analytics.scoring.score_customers`` does, from the summary arrays."""
    from thrive.insights import (
        churn_risk_band,
        customer_lifetime_value,
        fit_bgnbd,
        fit_gamma_gamma,
        rfm_scores,
        rfm_segments,
    )

    x, tx, big_t, m, first = data["x"], data["tx"], data["T"], data["m"], data["first"]
    recency_days = np.round((big_t - tx) * 7.0) + 1.0
    purchase_days = x + 1.0
    revenue = first + m * x

    def run() -> tuple[Any, dict[str, float]]:
        phases: dict[str, float] = {}
        t0 = time.perf_counter()
        segments = rfm_segments(rfm_scores(recency_days, purchase_days, revenue))
        t1 = time.perf_counter()
        fit = fit_bgnbd(x, tx, big_t)
        t2 = time.perf_counter()
        repeat = x > 0
        spend = fit_gamma_gamma(x[repeat], m[repeat])
        t3 = time.perf_counter()
        p_alive, expected = fit.p_alive_and_expected_purchases(90.0 / 7.0, x, tx, big_t)
        p_alive = np.clip(p_alive, 0.0, 1.0)
        risk = churn_risk_band(p_alive)
        t4 = time.perf_counter()
        clv = customer_lifetime_value(
            fit,
            spend,
            x,
            tx,
            big_t,
            m,
            horizon_months=HORIZON_MONTHS,
            monthly_discount_rate=MONTHLY_DISCOUNT,
            unit_days=7.0,
        )
        t5 = time.perf_counter()
        phases.update(
            {
                "RFM": t1 - t0,
                "BG/NBD fit": t2 - t1,
                "Gamma-Gamma fit": t3 - t2,
                "P(alive), 90-day purchases, risk bands": t4 - t3,
                "CLV": t5 - t4,
            }
        )
        return (fit, spend, p_alive, expected, clv, segments, risk), phases

    def finish(result: Any) -> tuple[dict[str, Any], dict[str, np.ndarray], Any]:
        fit, spend, p_alive, expected, clv, _, _ = result
        info = _fit_info(fit.params, spend=_fit_info(spend.params), converged=bool(fit.converged))
        return info, {"p_alive": p_alive, "expected": expected, "clv": clv}, None

    return run, finish


def thrive_predict(data: dict[str, np.ndarray]) -> tuple[Run, Finish]:
    """P(alive) and 90-day expected purchases for every customer, as
    ``thrive.analytics.scoring.score_customers`` asks the fitted model for them (whole days)."""
    x, tx, big_t = data["x"], data["tx"], data["T"]
    fit = thrive_fit("bgnbd", BGNBD_TRUTH)
    # Scoring has whole day counts (order dates) and passes them as integers; the data's
    # weeks are those day counts / 7, which the check below makes sure of (not timed).
    frequency = x.astype(np.int64)
    recency_days = np.rint(tx * 7.0).astype(np.int64)
    age_days = np.rint(big_t * 7.0).astype(np.int64)
    if not (
        np.array_equal(frequency, x)
        and np.array_equal(recency_days / 7.0, tx)
        and np.array_equal(age_days / 7.0, big_t)
    ):
        raise ValueError("the predict data is not whole days in weeks")

    def run() -> tuple[Any, dict[str, float]]:
        result = fit.p_alive_and_expected_purchases_days(
            PREDICT_HORIZON_WEEKS, frequency, recency_days, age_days, days_per_unit=7.0
        )
        return result, {}

    def finish(result: Any) -> tuple[dict[str, Any], dict[str, np.ndarray], Any]:
        p_alive, expected = result
        return {}, {"p_alive": p_alive, "expected": expected}, None

    return run, finish


def thrive_basket(data: dict[str, np.ndarray], min_support: float) -> tuple[Run, Finish]:
    from thrive.insights import association_rules, frequent_itemsets

    o, p = data["orders"], data["products"]
    n_orders = int(data["shape"][0])

    def run() -> tuple[Any, dict[str, float]]:
        fi, t_fi = _timed(
            lambda: frequent_itemsets(o, p, min_support=min_support, n_orders=n_orders)
        )
        rules, t_r = _timed(lambda: association_rules(fi, metric="confidence", min_threshold=0.0))
        return (fi, rules), {"itemsets": t_fi, "rules": t_r}

    def finish(result: Any) -> tuple[dict[str, Any], dict[str, np.ndarray], Any]:
        fi, rules = result
        sets = {frozenset(int(i) for i in k): float(v) for k, v in fi.to_dict().items()}
        rule_rows = {
            (frozenset(int(i) for i in a), frozenset(int(i) for i in c)): {
                name: float(row[name.replace(" ", "_")]) for name in RULE_COLUMNS
            }
            for (a, c), row in rules.to_dict().items()
        }
        info = {
            "itemsets": len(sets),
            "rules": len(rule_rows),
            "by_size": np.bincount(fi.lengths)[1:].tolist(),
        }
        return info, {}, {"itemsets": sets, "rules": rule_rows}

    return run, finish


# --- lifetimes ---------------------------------------------------------------------------


def _lifetimes_params(fitter: Any) -> dict[str, float]:
    return {str(k): float(v) for k, v in fitter.params_.items()}


def lifetimes_model_fit(
    name: str, data: dict[str, np.ndarray], *, collapse: bool = False
) -> tuple[Run, Finish]:
    import pandas as pd
    from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter

    cls = {"bgnbd": BetaGeoFitter, "mbgnbd": ModifiedBetaGeoFitter, "pareto": ParetoNBDFitter}[name]
    x, tx, big_t = data["x"], data["tx"], data["T"]
    frame = pd.DataFrame({"x": x, "tx": tx, "T": big_t})

    def run() -> tuple[Any, dict[str, float]]:
        # lifetimes' Pareto/NBD starts Nelder-Mead from np.random.normal(1, 0.05, 4): seed
        # the global generator so that every run (and every machine) starts at one point.
        np.random.seed(0)
        if not collapse:
            return cls().fit(x, tx, big_t), {}
        # Fader & Hardie's own practice, which lifetimes documents for ``weights``: one row
        # per distinct (x, t_x, T) with its customer count.
        start = time.perf_counter()
        rows = frame.groupby(["x", "tx", "T"], sort=False).size().reset_index(name="w")
        t_collapse = time.perf_counter() - start
        fitter = cls().fit(rows["x"], rows["tx"], rows["T"], weights=rows["w"])
        return fitter, {
            "collapse rows": t_collapse,
            "fit": time.perf_counter() - start - t_collapse,
        }

    def finish(result: Any) -> tuple[dict[str, Any], dict[str, np.ndarray], Any]:
        return _fit_info(_lifetimes_params(result)), {}, None

    return run, finish


def _lifetimes_transaction_model(params: dict[str, float]) -> Any:
    """A BetaGeoFitter holding given parameters (what ``fit`` leaves behind for predict)."""
    import pandas as pd
    from lifetimes import BetaGeoFitter

    model = BetaGeoFitter()
    model.params_ = pd.Series(params)
    model.predict = model.conditional_expected_number_of_purchases_up_to_time
    return model


def lifetimes_ggclv(data: dict[str, np.ndarray]) -> tuple[Run, Finish]:
    import pandas as pd
    from lifetimes import GammaGammaFitter

    x, tx, big_t, m = data["x"], data["tx"], data["T"], data["m"]
    repeat = x > 0
    xs, txs, ts, ms = (pd.Series(v) for v in (x, tx, big_t, m))
    transactions = _lifetimes_transaction_model(BGNBD_TRUTH)

    def run() -> tuple[Any, dict[str, float]]:
        spend, t_fit = _timed(lambda: GammaGammaFitter().fit(x[repeat], m[repeat]))
        clv, t_clv = _timed(
            lambda: spend.customer_lifetime_value(
                transactions,
                xs,
                txs,
                ts,
                ms,
                time=HORIZON_MONTHS,
                discount_rate=MONTHLY_DISCOUNT,
                freq="W",
            )
        )
        return (spend, clv), {"Gamma-Gamma fit": t_fit, "CLV": t_clv}

    def finish(result: Any) -> tuple[dict[str, Any], dict[str, np.ndarray], Any]:
        spend, clv = result
        return _fit_info(_lifetimes_params(spend)), {"clv": clv.to_numpy(dtype=float)}, None

    return run, finish


def lifetimes_e2e(data: dict[str, np.ndarray]) -> tuple[Run, Finish]:
    """The same predictions with lifetimes (it has no RFM scoring: that part is left out)."""
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    x, tx, big_t, m = data["x"], data["tx"], data["T"], data["m"]
    xs, txs, ts, ms = (pd.Series(v) for v in (x, tx, big_t, m))

    def run() -> tuple[Any, dict[str, float]]:
        t0 = time.perf_counter()
        fit = BetaGeoFitter().fit(x, tx, big_t)
        t1 = time.perf_counter()
        repeat = x > 0
        spend = GammaGammaFitter().fit(x[repeat], m[repeat])
        t2 = time.perf_counter()
        p_alive = fit.conditional_probability_alive(x, tx, big_t)
        expected = fit.conditional_expected_number_of_purchases_up_to_time(90.0 / 7.0, x, tx, big_t)
        t3 = time.perf_counter()
        clv = spend.customer_lifetime_value(
            fit, xs, txs, ts, ms, time=HORIZON_MONTHS, discount_rate=MONTHLY_DISCOUNT, freq="W"
        )
        t4 = time.perf_counter()
        phases = {
            "BG/NBD fit": t1 - t0,
            "Gamma-Gamma fit": t2 - t1,
            "P(alive), 90-day purchases": t3 - t2,
            "CLV": t4 - t3,
        }
        return (fit, spend, p_alive, expected, clv), phases

    def finish(result: Any) -> tuple[dict[str, Any], dict[str, np.ndarray], Any]:
        fit, spend, p_alive, expected, clv = result
        info = _fit_info(_lifetimes_params(fit), spend=_fit_info(_lifetimes_params(spend)))
        arrays = {
            "p_alive": np.asarray(p_alive, float),
            "expected": np.asarray(expected, float),
            "clv": clv.to_numpy(dtype=float),
        }
        return info, arrays, None

    return run, finish


def lifetimes_predict(data: dict[str, np.ndarray]) -> tuple[Run, Finish]:
    """The same predictions with lifetimes' BetaGeoFitter holding the same parameters."""
    x, tx, big_t = data["x"], data["tx"], data["T"]
    model = _lifetimes_transaction_model(BGNBD_TRUTH)

    def run() -> tuple[Any, dict[str, float]]:
        p_alive = model.conditional_probability_alive(x, tx, big_t)
        expected = model.conditional_expected_number_of_purchases_up_to_time(
            PREDICT_HORIZON_WEEKS, x, tx, big_t
        )
        return (p_alive, expected), {}

    def finish(result: Any) -> tuple[dict[str, Any], dict[str, np.ndarray], Any]:
        p_alive, expected = (np.asarray(v, dtype=float) for v in result)
        return {}, {"p_alive": p_alive, "expected": expected}, None

    return run, finish


# --- mlxtend -----------------------------------------------------------------------------


def mlxtend_basket(data: dict[str, np.ndarray], min_support: float) -> tuple[Run, Finish]:
    import pandas as pd
    from mlxtend.frequent_patterns import apriori, association_rules

    o, p = data["orders"], data["products"]
    n_orders, n_products = (int(v) for v in data["shape"])
    dense = np.zeros((n_orders, n_products), dtype=bool)
    dense[o, p] = True
    # mlxtend's input: a one-hot DataFrame of booleans, built before the clock starts.
    frame = pd.DataFrame(dense, columns=list(range(n_products)))
    del dense

    def run() -> tuple[Any, dict[str, float]]:
        sets, t_fi = _timed(lambda: apriori(frame, min_support=min_support, low_memory=True))
        rules, t_r = _timed(
            lambda: association_rules(
                sets,
                num_itemsets=n_orders,
                metric="confidence",
                min_threshold=0.0,
                return_metrics=list(RULE_COLUMNS),
            )
        )
        return (sets, rules), {"itemsets": t_fi, "rules": t_r}

    def finish(result: Any) -> tuple[dict[str, Any], dict[str, np.ndarray], Any]:
        sets, rules = result
        itemsets = {
            frozenset(int(i) for i in s): float(v)
            for s, v in zip(sets["itemsets"], sets["support"], strict=True)
        }
        values = rules[list(RULE_COLUMNS)].to_numpy(dtype=float)
        rule_rows = {
            (frozenset(int(i) for i in a), frozenset(int(i) for i in c)): dict(
                zip(RULE_COLUMNS, (float(v) for v in row), strict=True)
            )
            for a, c, row in zip(rules["antecedents"], rules["consequents"], values, strict=True)
        }
        info = {"itemsets": len(itemsets), "rules": len(rule_rows)}
        return info, {}, {"itemsets": itemsets, "rules": rule_rows}

    return run, finish


# --- entry point -------------------------------------------------------------------------


def build(workload: str, side: str, data: dict[str, np.ndarray], option: str) -> tuple[Run, Finish]:
    if workload in ("bgnbd", "mbgnbd", "pareto"):
        if side == "thrive":
            return thrive_model_fit(workload, data)
        if side == "thrive+se":
            return thrive_model_fit(workload, data, se=True)
        if side == "lifetimes":
            return lifetimes_model_fit(workload, data)
        if side == "lifetimes+weights":
            return lifetimes_model_fit(workload, data, collapse=True)
    if workload == "ggclv":
        return thrive_ggclv(data) if side == "thrive" else lifetimes_ggclv(data)
    if workload == "e2e":
        return thrive_e2e(data) if side == "thrive" else lifetimes_e2e(data)
    if workload == "predict":
        return thrive_predict(data) if side == "thrive" else lifetimes_predict(data)
    if workload in ("basket", "basket-dense"):
        support = float(option)
        return thrive_basket(data, support) if side == "thrive" else mlxtend_basket(data, support)
    raise SystemExit(f"unknown workload/side: {workload}/{side}")


def main(argv: list[str]) -> int:
    workload, side, data_path, out_prefix, max_repeat, budget = argv[:6]
    option = argv[6] if len(argv) > 6 else ""
    data = load(data_path)
    run, finish = build(workload, side, data, option)
    baseline = _status_mb("VmRSS")
    times: list[float] = []
    cpu: list[float] = []  # this process's CPU time (all its threads), less sensitive to load
    phases: list[dict[str, float]] = []
    result: Any = None
    while True:
        cpu_start = time.process_time()
        (result, phase), elapsed = _timed(run)
        cpu.append(time.process_time() - cpu_start)
        times.append(elapsed)
        phases.append(phase)
        if len(times) >= int(max_repeat) or sum(times) + elapsed > float(budget):
            break
    # The peak resident set of this process since exec (VmHWM), before the outputs are
    # converted and saved.  ru_maxrss from wait4 would not do: Linux carries the parent's
    # peak over into the child's at fork, and the parent holds the data.
    peak = _status_mb("VmHWM")
    info, arrays, extra = finish(result)
    best = int(np.argmin(times))
    out = Path(out_prefix)
    summary = {
        "times": times,
        "cpu_times": cpu,
        "phases": phases[best],
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
        **info,
    }
    out.with_suffix(".json").write_text(json.dumps(summary, indent=1))
    if arrays:
        np.savez(out.with_suffix(".npz"), **arrays)  # type: ignore[arg-type]  # numpy's stub
    if extra is not None:
        with out.with_suffix(".pkl").open("wb") as f:
            pickle.dump(extra, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
