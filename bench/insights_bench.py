"""Thrive's insights core against lifetimes and mlxtend, side by side in one run.

Run through ``bench/run`` (which makes the peers' virtual environment); directly:

    bench/.venv-peers/bin/python bench/insights_bench.py [--quick] [--only KEY,...]

For every benchmark the data is generated once from fixed seeds (``datasets.py``) and
saved; each side then runs in its own child process (``workloads.py``), which imports only
its own library, so the time (``perf_counter`` around the call, inputs already built) and
the peak memory (the child's VmHWM: interpreter, libraries, data and work) are measured
cleanly.  Afterwards this process checks the results: every fitted
parameter set is scored by two independent log-likelihood evaluators (the insights core's
``log_likelihood_per_customer`` and lifetimes' own ``_negative_log_likelihood``), CLV
values are compared customer by customer, and basket itemsets and rules must be
identical.  The report goes to ``bench/results/insights.md`` (``insights-quick.md``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import math
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets
import numpy as np
from workloads import UNIT_DAYS_LIFETIMES_MONTH, thrive_fit

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
CHILD_TIMEOUT_S = 900.0
# Log-likelihoods within this relative distance count as equal (the optimisers' tolerance).
LL_RTOL = 1e-9
# P(alive) and expected purchases: both sides' values must agree this closely (relative).
PREDICT_RTOL = 1e-10


@dataclass(frozen=True)
class Sizes:
    customers: int
    pareto_sample: bool
    orders: int
    products: int
    min_support: float
    dense_orders: int = 100_000
    dense_products: int = 40


FULL = Sizes(
    customers=1_000_000, pareto_sample=False, orders=100_000, products=500, min_support=0.01
)
QUICK = Sizes(
    customers=100_000,
    pareto_sample=True,
    orders=20_000,
    products=500,
    min_support=0.01,
    dense_orders=20_000,
)


@dataclass(frozen=True)
class Benchmark:
    key: str
    title: str
    data: str
    peer: str
    target: str
    target_ratio: float | None = None
    # (side, max repeats, time budget in seconds for the repeats)
    sides: tuple[tuple[str, int, float], ...] = ()
    option: str = ""
    # > 0: that many rounds, each running every side's child once, in alternating order;
    # the times are judged by their medians (fast calls, where a best run flatters).
    rounds: int = 0


@dataclass
class SideResult:
    side: str
    ok: bool
    times: list[float] = field(default_factory=list)
    peak_mb: float = math.nan
    info: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    extra: Any = None
    load_before: float = math.nan
    error: str = ""

    @property
    def best(self) -> float:
        return min(self.times) if self.times else math.nan

    @property
    def median(self) -> float:
        return float(np.median(self.times)) if self.times else math.nan


def benchmarks(sizes: Sizes) -> list[Benchmark]:
    thrive = ("thrive", 5, 60.0)
    lifetimes = ("lifetimes", 3, 30.0)
    return [
        Benchmark(
            "bgnbd",
            "BG/NBD fit",
            "base",
            "lifetimes",
            "≥ 10× faster, LL ≥ peer",
            10.0,
            (thrive, lifetimes, ("thrive+se", 3, 30.0), ("lifetimes+weights", 3, 30.0)),
        ),
        Benchmark(
            "mbgnbd",
            "MBG/NBD fit",
            "mbase",
            "lifetimes",
            "≥ 10× faster, LL ≥ peer",
            10.0,
            (thrive, lifetimes),
        ),
        Benchmark(
            "pareto",
            "Pareto/NBD fit",
            "cdnow",
            "lifetimes",
            "≥ 20× faster, LL ≥ peer",
            20.0,
            (thrive, lifetimes),
        ),
        Benchmark(
            "ggclv",
            "Gamma-Gamma fit + 12-month CLV",
            "base",
            "lifetimes",
            "≥ 10× faster, same CLV",
            10.0,
            (thrive, lifetimes),
        ),
        Benchmark(
            "e2e",
            "Fit and score every customer",
            "base",
            "lifetimes",
            "< 3 s and < 1 GB",
            None,
            (("thrive", 3, 60.0), ("lifetimes", 1, 0.0)),
        ),
        Benchmark(
            "basket",
            "Basket rules (itemsets + rules)",
            "baskets",
            "mlxtend",
            "≥ 10× faster (medians), identical itemsets and rules",
            10.0,
            (("thrive", 3, 30.0), ("mlxtend", 1, 0.0)),
            option=str(sizes.min_support),
            rounds=5,
        ),
        Benchmark(
            "basket-dense",
            "Basket rules, dense baskets",
            "dense-baskets",
            "mlxtend",
            "identical itemsets and rules, peak memory of each side",
            None,
            (("thrive", 3, 30.0), ("mlxtend", 1, 0.0)),
            option=str(sizes.min_support),
            rounds=5,
        ),
        Benchmark(
            "predict",
            "P(alive) + 90-day expected purchases",
            "base",
            "lifetimes",
            "≥ 10× faster (medians), same values to 1e-10",
            10.0,
            (("thrive", 3, 30.0), ("lifetimes", 3, 30.0)),
            rounds=5,
        ),
    ]


def describe_data(key: str, sizes: Sizes, data: dict[str, np.ndarray]) -> str:
    if key in ("base", "mbase"):
        model = "MBG/NBD" if key == "mbase" else "BG/NBD"
        return f"{data['x'].size:,} synthetic customers ({model})"
    if key == "cdnow":
        name = "CDNOW 1/10 sample" if sizes.pareto_sample else "CDNOW master"
        return f"{name}, {data['x'].size:,} customers, 39 weeks"
    if key == "dense-baskets":
        lines = data["orders"].size / sizes.dense_orders
        return (
            f"{sizes.dense_orders:,} dense orders × {sizes.dense_products} products "
            f"({lines:.1f} per order), support {sizes.min_support}"
        )
    return f"{sizes.orders:,} orders × {sizes.products} products, support {sizes.min_support}"


# --- children ----------------------------------------------------------------------------


def run_side(
    bench: Benchmark,
    side: str,
    repeat: int,
    budget: float,
    data_path: Path,
    work: Path,
    tag: str = "",
) -> SideResult:
    prefix = work / f"{bench.key}-{side}{tag}"
    cmd = [
        sys.executable,
        str(BENCH / "workloads.py"),
        bench.key,
        side,
        str(data_path),
        str(prefix),
        str(repeat),
        str(budget),
        bench.option,
    ]
    result = SideResult(side=side, ok=False, load_before=os.getloadavg()[0])
    log = prefix.with_suffix(".log")
    with log.open("wb") as out:
        try:
            proc = subprocess.run(
                cmd,
                cwd=BENCH,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=CHILD_TIMEOUT_S,
                check=False,
            )
            code = proc.returncode
        except subprocess.TimeoutExpired:
            code, result.error = -1, f"killed after {CHILD_TIMEOUT_S:.0f} s"
    if code != 0 or result.error:
        tail = log.read_text(errors="replace").strip().splitlines()[-15:]
        result.error = result.error or f"exit {code}: " + " | ".join(tail)
        print(f"  {side}: FAILED {result.error}", flush=True)
        return result
    summary = json.loads(prefix.with_suffix(".json").read_text())
    result.times = summary.pop("times")
    result.peak_mb = summary["peak_rss_mb"]
    result.info = summary
    if prefix.with_suffix(".npz").exists():
        result.arrays = datasets.load(prefix.with_suffix(".npz"))
    if prefix.with_suffix(".pkl").exists():
        with prefix.with_suffix(".pkl").open("rb") as f:
            result.extra = pickle.load(f)  # noqa: S301 - our own child's output
    result.ok = True
    print(
        f"  {side}: best {result.best:.3f} s of {len(result.times)}, peak {result.peak_mb:.0f} MB",
        flush=True,
    )
    return result


def run_interleaved(bench: Benchmark, data_path: Path, work: Path) -> dict[str, SideResult]:
    """``bench.rounds`` rounds of one child per side, the order alternating between rounds
    so that neither side always runs first; each side's runs, CPU times and per-child peak
    memory are pooled (the outputs checked are the last child's)."""
    pooled: dict[str, SideResult] = {}
    for k in range(bench.rounds):
        order = bench.sides if k % 2 == 0 else bench.sides[::-1]
        for side, rep, budget in order:
            one = run_side(bench, side, rep, budget, data_path, work, tag=f"-{k}")
            into = pooled.setdefault(
                side, SideResult(side=side, ok=True, load_before=one.load_before)
            )
            if not one.ok:
                into.ok, into.error = False, one.error
                continue
            into.times += one.times
            into.info.setdefault("cpu_times", []).extend(one.info.get("cpu_times", []))
            into.info.setdefault("child_peaks_mb", []).append(one.peak_mb)
            into.info.setdefault("loads", []).append(one.load_before)
            into.info["baseline_rss_mb"] = one.info.get("baseline_rss_mb", math.nan)
            into.info["phases"] = {}
            into.peak_mb = float(np.nanmax([into.peak_mb, one.peak_mb]))
            into.arrays = one.arrays
            into.extra = one.extra
    return {side: pooled[side] for side, _, _ in bench.sides}


# --- checks ------------------------------------------------------------------------------


def ll_thrive(model: str, params: dict[str, float], data: dict[str, np.ndarray]) -> float:
    """Total log-likelihood by the insights core's per-customer formulas."""
    x, tx, big_t = data["x"], data["tx"], data["T"]
    fit = thrive_fit(model, params)
    if model == "gg":
        rep = x > 0
        return math.fsum(fit.log_likelihood_per_customer(x[rep], data["m"][rep]))
    return math.fsum(fit.log_likelihood_per_customer(x, tx, big_t))


def ll_lifetimes(model: str, params: dict[str, float], data: dict[str, np.ndarray]) -> float:
    """Total log-likelihood by lifetimes' own (private) objective, unscaled time units."""
    from lifetimes import (
        BetaGeoFitter,
        GammaGammaFitter,
        ModifiedBetaGeoFitter,
        ParetoNBDFitter,
    )

    x, tx, big_t = data["x"], data["tx"], data["T"]
    if model == "gg":
        rep = x > 0
        v = params["v"] if "v" in params else params["gamma"]
        theta = np.log([params["p"], params["q"], v])
        ones = np.ones(int(rep.sum()))
        mean = GammaGammaFitter._negative_log_likelihood(theta, x[rep], data["m"][rep], ones, 0.0)
        return -float(mean) * ones.size
    ones = np.ones(x.size)
    if model == "pareto":
        theta = np.array([params["r"], params["alpha"], params["s"], params["beta"]])
        # Its objective is the weighted sum divided by the mean weight: the total here.
        return -float(ParetoNBDFitter._negative_log_likelihood(theta, x, tx, big_t, ones, 0.0))
    cls = BetaGeoFitter if model == "bgnbd" else ModifiedBetaGeoFitter
    theta = np.log([params["r"], params["alpha"], params["a"], params["b"]])
    return -float(cls._negative_log_likelihood(theta, x, tx, big_t, ones, 0.0)) * x.size


def ll_verdict(ours: float, theirs: float) -> str:
    gap = ours - theirs
    if gap > LL_RTOL * abs(theirs):
        return "better"
    if gap >= -LL_RTOL * abs(theirs):
        return "equal"
    return "WORSE"


def relative_gaps(ours: np.ndarray, theirs: np.ndarray) -> tuple[float, float]:
    """(max, median) of |ours - theirs| / |theirs| over customers with theirs != 0."""
    ours, theirs = np.ravel(ours), np.ravel(theirs)
    nonzero = np.abs(theirs) > 1e-12
    rel = np.abs(ours[nonzero] - theirs[nonzero]) / np.abs(theirs[nonzero])
    return (float(rel.max()), float(np.median(rel))) if rel.size else (0.0, 0.0)


@dataclass
class Outcome:
    bench: Benchmark
    data_text: str
    sides: dict[str, SideResult]
    ll: dict[str, float] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)
    passed: bool = True
    missed: list[str] = field(default_factory=list)

    def ratio(self) -> float:
        ours, peer = self.sides.get("thrive"), self.sides.get(self.bench.peer)
        if not (ours and peer and ours.ok and peer.ok):
            return math.nan
        if self.bench.rounds:
            return peer.median / ours.median
        return peer.best / ours.best


def check_fits(out: Outcome, model: str, data: dict[str, np.ndarray]) -> None:
    ours, peer = out.sides["thrive"], out.sides[out.bench.peer]
    if not (ours.ok and peer.ok):
        return
    for name, evaluate in (("Thrive's", ll_thrive), ("lifetimes'", ll_lifetimes)):
        a = evaluate(model, ours.info["params"], data)
        b = evaluate(model, peer.info["params"], data)
        verdict = ll_verdict(a, b)
        out.ll[f"thrive {name}"], out.ll[f"peer {name}"] = a, b
        out.checks.append(
            f"LL by {name} evaluator: Thrive {a:,.4f}, {out.bench.peer} {b:,.4f} "
            f"(Thrive − peer = {a - b:+.4g}): {verdict}"
        )
        if verdict == "WORSE":
            out.passed = False
            out.missed.append(f"log-likelihood by {name} evaluator")
    out.checks.append(
        "parameters: Thrive "
        + ", ".join(f"{k} {v:.6g}" for k, v in ours.info["params"].items())
        + f"; {out.bench.peer} "
        + ", ".join(f"{k} {v:.6g}" for k, v in peer.info["params"].items())
    )
    for extra in ("thrive+se", "lifetimes+weights"):
        side = out.sides.get(extra)
        if side and side.ok:
            ll = ll_thrive(model, side.info["params"], data)
            out.checks.append(
                f"{extra}: best {side.best:.3f} s of {len(side.times)}, peak "
                f"{side.peak_mb:.0f} MB, LL (Thrive's evaluator) {ll:,.4f}"
                + (f", phases {fmt_phases(side.info['phases'])}" if side.info["phases"] else "")
            )


def check_ggclv(out: Outcome, data: dict[str, np.ndarray]) -> None:
    from thrive.insights import customer_lifetime_value

    ours, peer = out.sides["thrive"], out.sides["lifetimes"]
    if not (ours.ok and peer.ok):
        return
    for name, evaluate in (("Thrive's", ll_thrive), ("lifetimes'", ll_lifetimes)):
        a = evaluate("gg", ours.info["params"], data)
        b = evaluate("gg", peer.info["params"], data)
        out.ll[f"thrive {name}"], out.ll[f"peer {name}"] = a, b
        verdict = ll_verdict(a, b)
        out.checks.append(
            f"Gamma-Gamma LL by {name} evaluator: Thrive {a:,.4f}, lifetimes "
            f"{b:,.4f} (Thrive − peer = {a - b:+.4g}): {verdict}"
        )
        if verdict == "WORSE":
            out.passed = False
            out.missed.append(f"Gamma-Gamma log-likelihood by {name} evaluator")
    worst, median = relative_gaps(ours.arrays["clv"], peer.arrays["clv"])
    out.checks.append(
        f"CLV, each side with its own Gamma-Gamma fit: max relative difference "
        f"{worst:.2e}, median {median:.2e}"
    )
    # The same Gamma-Gamma parameters on both sides isolates the CLV formula itself.
    spend = thrive_fit("gg", peer.info["params"])
    transactions = thrive_fit("bgnbd", datasets.BGNBD_TRUTH)
    same = customer_lifetime_value(
        transactions,
        spend,
        data["x"],
        data["tx"],
        data["T"],
        data["m"],
        horizon_months=12,
        monthly_discount_rate=0.01,
        unit_days=UNIT_DAYS_LIFETIMES_MONTH,
    )
    worst_same, median_same = relative_gaps(same, peer.arrays["clv"])
    out.checks.append(
        f"CLV with lifetimes' Gamma-Gamma parameters on both sides: max relative "
        f"difference {worst_same:.2e}, median {median_same:.2e}"
    )
    if worst_same > 1e-6:
        out.passed = False
        out.missed.append("CLV values differ by more than 1e-6 (relative)")


def check_e2e(out: Outcome, data: dict[str, np.ndarray]) -> None:
    ours, peer = out.sides["thrive"], out.sides.get("lifetimes")
    if not ours.ok:
        out.passed = False
        out.missed.append("Thrive failed")
        return
    slowest = max(ours.times)
    out.checks.append(
        f"Thrive runs: {', '.join(f'{t:.3f}' for t in ours.times)} s "
        f"(slowest {slowest:.3f} s); phases of the best: "
        f"{fmt_phases(ours.info['phases'])}"
    )
    if peer and peer.ok:
        a = ll_thrive("bgnbd", ours.info["params"], data)
        b = ll_thrive("bgnbd", peer.info["params"], data)
        out.ll["thrive Thrive's"], out.ll["peer Thrive's"] = a, b
        out.checks.append(
            f"BG/NBD LL (Thrive's evaluator): Thrive {a:,.4f}, lifetimes {b:,.4f}: "
            f"{ll_verdict(a, b)}"
        )
        worst, _ = relative_gaps(ours.arrays["p_alive"], peer.arrays["p_alive"])
        out.checks.append(f"P(alive): max relative difference {worst:.2e}")
        worst, median = relative_gaps(ours.arrays["clv"], peer.arrays["clv"])
        out.checks.append(
            f"CLV: max relative difference {worst:.2e}, median {median:.2e} (Thrive's months "
            f"are 365.25/12 days, lifetimes' 4.345 weeks, here deliberately left as they are)"
        )
        out.checks.append(f"lifetimes phases: {fmt_phases(peer.info['phases'])} (no RFM)")


def check_basket(out: Outcome) -> None:
    ours, peer = out.sides["thrive"], out.sides["mlxtend"]
    for side in (ours, peer):
        if side.ok and "child_peaks_mb" in side.info:
            t, c = np.array(side.times), np.array(side.info["cpu_times"])
            out.checks.append(
                f"{side.side}: {t.size} runs in {len(side.info['child_peaks_mb'])} interleaved "
                f"child processes: wall min {t.min():.3f} / median {np.median(t):.3f} / max "
                f"{t.max():.3f} s; CPU min {c.min():.3f} / median {np.median(c):.3f} / max "
                f"{c.max():.3f} s; peak MB per child "
                f"{', '.join(f'{v:.0f}' for v in side.info['child_peaks_mb'])}; load average "
                f"at each child's start {', '.join(f'{v:.2f}' for v in side.info['loads'])}"
            )
    if not (ours.ok and peer.ok):
        return
    if "cpu_times" in ours.info and "cpu_times" in peer.info:
        cpu_ratio = np.median(peer.info["cpu_times"]) / np.median(ours.info["cpu_times"])
        out.checks.append(
            f"speed-up by median wall time {peer.median / ours.median:.1f}×, by best wall "
            f"time {peer.best / ours.best:.1f}×, by median CPU time {cpu_ratio:.1f}×"
        )
    a, b = ours.extra, peer.extra
    by_size = np.bincount([len(k) for k in a["itemsets"]])[1:].tolist()
    same_sets = a["itemsets"].keys() == b["itemsets"].keys()
    same_support = same_sets and all(a["itemsets"][k] == b["itemsets"][k] for k in a["itemsets"])
    same_rules = a["rules"].keys() == b["rules"].keys()
    worst = 0.0
    mismatched_inf = 0
    if same_rules:
        for key, theirs in b["rules"].items():
            mine = a["rules"][key]
            for name, value in theirs.items():
                if math.isinf(value) or math.isinf(mine[name]):
                    mismatched_inf += mine[name] != value
                else:
                    worst = max(worst, abs(mine[name] - value) / max(abs(value), 1e-300))
    out.checks.append(
        f"itemsets: Thrive {len(a['itemsets'])} (by size {by_size}), mlxtend "
        f"{len(b['itemsets'])}: {'identical' if same_sets else 'DIFFERENT'}; supports "
        f"{'identical' if same_support else 'DIFFERENT'}"
    )
    out.checks.append(
        f"rules (confidence ≥ 0): Thrive {len(a['rules'])}, mlxtend {len(b['rules'])}: "
        f"{'identical' if same_rules else 'DIFFERENT'}; largest relative difference of "
        f"antecedent/consequent support, support, confidence, lift, leverage, conviction "
        f"{worst:.1e}" + (f"; {mismatched_inf} infinite values differ" if mismatched_inf else "")
    )
    if ours.info.get("phases") and peer.info.get("phases"):
        out.checks.append(
            f"phases: Thrive {fmt_phases(ours.info['phases'])}; mlxtend "
            f"{fmt_phases(peer.info['phases'])}"
        )
    if not (same_sets and same_support and same_rules) or worst > 1e-9 or mismatched_inf:
        out.passed = False
        out.missed.append("itemsets or rules differ")


def check_predict(out: Outcome) -> None:
    """Both arrays customer by customer: max relative difference within 1e-10."""
    ours, peer = out.sides["thrive"], out.sides["lifetimes"]
    for side in (ours, peer):
        if side.ok:
            t, c = np.array(side.times), np.array(side.info.get("cpu_times", []))
            out.checks.append(
                f"{side.side}: {len(t)} runs in {len(side.info['child_peaks_mb'])} interleaved "
                f"child processes: wall min {t.min():.4f} / median {np.median(t):.4f} / max "
                f"{t.max():.4f} s; CPU min {c.min():.4f} / median {np.median(c):.4f} / max "
                f"{c.max():.4f} s; load average at each child's start "
                f"{', '.join(f'{v:.2f}' for v in side.info['loads'])}"
            )
    if not (ours.ok and peer.ok):
        return
    cpu_ratio = np.median(peer.info["cpu_times"]) / np.median(ours.info["cpu_times"])
    out.checks.append(
        f"speed-up by median wall time {out.ratio():.1f}×, by best wall time "
        f"{peer.best / ours.best:.1f}×, by median CPU time {cpu_ratio:.1f}×"
    )
    for name in ("p_alive", "expected"):
        a, b = ours.arrays[name], peer.arrays[name]
        both_zero = (a == 0) & (b == 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(both_zero, 0.0, np.abs(a - b) / np.abs(b))
        worst = float(np.max(rel)) if rel.size else 0.0
        out.checks.append(
            f"{name}: {a.size:,} customers, max relative difference {worst:.2e} (median "
            f"{float(np.median(rel)):.1e}); values from {b.min():.3g} to {b.max():.3g}"
        )
        if not worst <= PREDICT_RTOL:
            out.passed = False
            out.missed.append(f"{name} differs by {worst:.1e} > {PREDICT_RTOL:g} (relative)")


def judge_targets(out: Outcome) -> None:
    """The issue's targets, which hold for the full sizes (not for ``--quick``)."""
    ours = out.sides.get("thrive")
    if out.bench.key == "e2e" and ours and ours.ok:
        if ours.best >= 3.0:
            out.passed = False
            out.missed.append(f"time {ours.best:.2f} s ≥ 3 s")
        if ours.peak_mb >= 1024:
            out.passed = False
            out.missed.append(f"peak memory {ours.peak_mb:.0f} MB ≥ 1 GB")
    ratio = out.ratio()
    if out.bench.target_ratio is not None and not ratio >= out.bench.target_ratio:
        out.passed = False
        out.missed.insert(0, f"speed-up {ratio:.1f}× < {out.bench.target_ratio:.0f}×")


def fmt_phases(phases: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.3f} s" for k, v in phases.items())


# --- report ------------------------------------------------------------------------------


def version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, str]:
    info: dict[str, str] = {}
    cpu = Path("/proc/cpuinfo").read_text()
    info["cpu"] = next(
        (ln.split(":", 1)[1].strip() for ln in cpu.splitlines() if ln.startswith("model name")),
        platform.processor(),
    )
    info["nproc"] = str(len(os.sched_getaffinity(0)))
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()
    info["memory"] = f"{int(mem[1]) / 1024**2:.1f} GiB"
    info["kernel"] = platform.release()
    info["python"] = platform.python_version()
    return info


def blas() -> str:
    import scipy.linalg  # noqa: F401 - load scipy's BLAS too
    from threadpoolctl import threadpool_info

    rows = []
    for pool in threadpool_info():
        rows.append(
            f"{pool.get('internal_api')} {pool.get('version')} "
            f"({pool.get('architecture', '?')}, {pool.get('num_threads')} threads, "
            f"{Path(pool.get('filepath', '')).name})"
        )
    return "; ".join(rows) or "none reported"


def git_state() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "thrive", "bench"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes in thrive/ or bench/" if dirty.strip() else "")


def fmt_time(side: SideResult | None) -> str:
    if side is None:
        return "—"
    if not side.ok:
        return "failed"
    n = len(side.times)
    if "child_peaks_mb" in side.info:  # interleaved rounds: the median and the spread
        return f"{side.median:.4f} s (median of {n}, {min(side.times):.4f}–{max(side.times):.4f})"
    return f"{side.best:.3f} s" + (f" (best of {n})" if n > 1 else " (1 run)")


def fmt_ll(value: float | None) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:,.2f}"


def report(
    outcomes: list[Outcome],
    sizes: Sizes,
    quick: bool,
    started: str,
    loads: tuple[tuple[float, ...], tuple[float, ...]],
    elapsed: float,
) -> str:
    m = machine()
    lines = [
        f"# Insights core benchmarks{' (quick mode: smaller data)' if quick else ''}",
        "",
        *(
            [
                "A smoke run: the targets are the issue's for the full sizes, so only the "
                "result checks (log-likelihoods, CLV values, itemsets and rules) are judged.",
                "",
            ]
            if quick
            else []
        ),
        f"- Command: `bench/run{' --quick' if quick else ''}` ({elapsed:.0f} s in all)",
        f"- Date: {started}; Thrive at {git_state()}",
        f"- Machine: {m['cpu']}, {m['nproc']} cores, {m['memory']}, Linux {m['kernel']}",
        f"- Load average (1, 5, 15 min) at start {fmt_load(loads[0])}, at end "
        f"{fmt_load(loads[1])}; other work shares this machine",
        f"- Python {m['python']}; numpy {version('numpy')}, scipy {version('scipy')}, pandas "
        f"{version('pandas')}, lifetimes {version('lifetimes')}, autograd {version('autograd')},"
        f" mlxtend {version('mlxtend')}; one interpreter and numpy build for both sides",
        f"- BLAS (threadpoolctl): {blas()}; "
        f"{os.environ.get('BENCH_BLAS_ENV', 'OpenBLAS variables as inherited')}",
        "",
        "| Benchmark | Data | Thrive | Peer | Peer time | Speed-up | Target | LL Thrive "
        "| LL peer | Peak MB Thrive | Peak MB peer | Result |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for out in outcomes:
        ours = out.sides.get("thrive")
        peer = out.sides.get(out.bench.peer)
        ratio = out.ratio()
        if quick:
            result = "checks passed" if out.passed else "FAILED: " + "; ".join(out.missed)
        else:
            result = "met" if out.passed else "missed: " + "; ".join(out.missed)
        speed_up = "—" if math.isnan(ratio) else f"{ratio:.1f}×"
        ll_ours, ll_peer = out.ll.get("thrive Thrive's"), out.ll.get("peer Thrive's")
        lines.append(
            f"| {out.bench.title} | {out.data_text} | {fmt_time(ours)} | {out.bench.peer} | "
            f"{fmt_time(peer)} | {speed_up} | {out.bench.target} | {fmt_ll(ll_ours)} | "
            f"{fmt_ll(ll_peer)} | {fmt_mb(ours)} | {fmt_mb(peer)} | {result} |"
        )
    lines += [
        "",
        "Times: wall clock of the call alone, inputs already in memory, best of the runs "
        "shown (each run's wall and CPU time are in the details). Speed-up = peer time / "
        "Thrive time. LL: total log-likelihood of each side's fitted parameters, both scored "
        "by the insights core's formulas (lifetimes' own objective gives the same verdicts, "
        "below). Peak MB: the child process's peak resident set, VmHWM (interpreter, "
        "libraries, data and work).",
        "",
        "## Details",
        "",
    ]
    for out in outcomes:
        lines.append(f"### {out.bench.title} — {out.data_text}")
        lines.append("")
        for side in out.sides.values():
            if side.ok:
                cpu = side.info.get("cpu_times", [])
                lines.append(
                    f"- {side.side}: runs {', '.join(f'{t:.3f}' for t in side.times)} s "
                    f"(CPU {', '.join(f'{t:.3f}' for t in cpu)} s); resident "
                    f"{side.info.get('baseline_rss_mb', math.nan):.0f} MB before the first run, "
                    f"peak {side.peak_mb:.0f} MB; load average {side.load_before:.2f} at start"
                )
            else:
                lines.append(f"- {side.side}: {side.error}")
        lines += [f"- {c}" for c in out.checks]
        lines.append("")
    return "\n".join(lines) + "\n"


def fmt_load(load: tuple[float, ...]) -> str:
    return ", ".join(f"{v:.2f}" for v in load)


def fmt_mb(side: SideResult | None) -> str:
    return "—" if side is None or not side.ok else f"{side.peak_mb:.0f}"


# --- main --------------------------------------------------------------------------------


def make_data(key: str, sizes: Sizes) -> dict[str, np.ndarray]:
    makers: dict[str, Callable[[], dict[str, np.ndarray]]] = {
        "base": lambda: datasets.customer_base(sizes.customers),
        "mbase": lambda: datasets.customer_base(sizes.customers, modified=True),
        "cdnow": lambda: datasets.cdnow(sample=sizes.pareto_sample),
        "baskets": lambda: datasets.baskets(sizes.orders, sizes.products),
        "dense-baskets": lambda: datasets.dense_baskets(sizes.dense_orders, sizes.dense_products),
    }
    return makers[key]()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, for a smoke run")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated keys: " + ",".join(b.key for b in benchmarks(FULL)),
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    chosen = [b for b in benchmarks(sizes) if not args.only or b.key in args.only.split(",")]
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_start = os.getloadavg()
    t0 = time.perf_counter()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="thrive-bench-") as tmp:
        work = Path(tmp)
        cache: dict[str, tuple[Path, dict[str, np.ndarray]]] = {}
        for bench in chosen:
            if bench.data not in cache:
                data = make_data(bench.data, sizes)
                cache[bench.data] = (datasets.save(work / f"{bench.data}.npz", data), data)
            path, data = cache[bench.data]
            text = describe_data(bench.data, sizes, data)
            print(f"{bench.title} — {text}", flush=True)
            if bench.rounds:
                sides = run_interleaved(bench, path, work)
            else:
                sides = {
                    side: run_side(bench, side, rep, budget, path, work)
                    for side, rep, budget in bench.sides
                }
            out = Outcome(bench, text, sides)
            if bench.key in ("bgnbd", "mbgnbd", "pareto"):
                check_fits(out, bench.key, data)
            elif bench.key == "ggclv":
                check_ggclv(out, data)
            elif bench.key == "e2e":
                check_e2e(out, data)
            elif bench.key in ("basket", "basket-dense"):
                check_basket(out)
            elif bench.key == "predict":
                check_predict(out)
            if not all(s.ok for s in sides.values()):
                out.passed = False
                out.missed.append("a side failed")
            if not args.quick:
                judge_targets(out)
            outcomes.append(out)
    text = report(
        outcomes,
        sizes,
        args.quick,
        started,
        (load_start, os.getloadavg()),
        time.perf_counter() - t0,
    )
    RESULTS.mkdir(exist_ok=True)
    name = "insights-quick.md" if args.quick else "insights.md"
    (RESULTS / name).write_text(text)
    print()
    print(text)
    print(f"Written to {RESULTS / name}")
    return 0 if all(o.passed for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
