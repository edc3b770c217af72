"""`thrive report` on a 1,000,000- and a 10,000,000-row Shopify export, beside pandas.

Each run is a child process: `thrive report FILE` (Thrive's interpreter, this worktree's
code) and `bench/report_peer.py FILE` (pandas' chunked read_csv, in bench/.venv-peers),
interleaved. Measured per run: wall time, CPU time (user + system, from wait4), peak memory
(the child's ru_maxrss, i.e. its VmHWM), rows/s. Checked per run: the figures the report
prints (per currency: customers, orders, revenue; the main currency's revenue per month in
the HTML) and the peer's figures equal the generator's own (bench/report_data.py).

    bench/report                       1M rows x3 and 10M rows x1 (both sides)
    bench/report --quick               100,000 rows x1, a smoke run
    bench/report --sizes 1000000 --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import report_data  # noqa: E402

THRIVE_PY = os.environ.get("THRIVE_PYTHON", "/work/main/.venv/bin/python")
PEER_PY = str(ROOT / "bench" / ".venv-peers" / "bin" / "python")
GOAL_BYTES = 1 << 30


@dataclass
class Run:
    side: str
    rows: int
    wall: float
    cpu: float
    peak_kb: int
    read_seconds: float | None = None
    checked: str = ""
    problems: list[str] = field(default_factory=list)


def _child(cmd: list[str], env: dict[str, str], stdout_path: Path) -> tuple[float, float, int, int]:
    """Run ``cmd``; wall, CPU seconds, peak RSS in KiB, exit status."""
    with stdout_path.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode


def run_thrive(path: Path, rows: int, truth: dict, work: Path) -> Run:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    html = work / f"report-{rows}.html"
    out = work / f"thrive-{rows}.txt"
    cmd = [
        THRIVE_PY,
        "-c",
        "import sys, thrive; assert thrive.__file__.startswith(sys.argv[1]), thrive.__file__;"
        "from thrive.cli import main; sys.argv = ['thrive'] + sys.argv[2:]; sys.exit(main())",
        str(ROOT),
        "report",
        str(path),
        "-o",
        str(html),
    ]
    wall, cpu, peak, code = _child(cmd, env, out)
    run = Run("thrive report", rows, wall, cpu, peak)
    text = out.read_text()
    if code != 0:
        run.problems.append(f"exit status {code}")
        return run
    m = re.search(r"^Read ([\d,]+) rows in (.+?) \(", text, re.M)
    if m:
        run.read_seconds = _seconds(m.group(2))
    printed = {}
    for code_, customers, orders, revenue in re.findall(
        r"^(\w+): ([\d,]+) customers?, ([\d,]+) orders?, revenue ([\d,.]+) ", text, re.M
    ):
        printed[code_] = {
            "orders": _int(orders),
            "customers": _int(customers),
            "revenue": float(revenue.replace(",", "")),
        }
    if printed != truth["currencies"]:
        run.problems.append(f"per-currency figures differ: {printed} != {truth['currencies']}")
    page = html.read_text()
    details = page[page.index("<summary>Monthly figures</summary>") :]
    details = details[: details.index("</table>")]
    months = dict(
        re.findall(r'<td class="">(\d{4}-\d{2})</td><td class="num">([^<]+)</td>', details)
    )
    # The page shows whole units: equal means within the rounding of the exact figure.
    expected = truth["monthly_revenue"]
    got = {m: _int(re.sub(r"[^\d]", "", v)) for m, v in months.items()}
    bad = sorted(
        k
        for k in expected.keys() | got.keys()
        if k not in got or k not in expected or abs(got[k] - expected[k]) > 0.5 + 1e-6
    )
    if bad:
        run.problems.append(f"monthly revenue differs in {bad[:5]}")
    if not run.problems:
        run.checked = f"{len(printed)} currencies and {len(got)} months equal the generator's"
    return run


def run_peer(path: Path, rows: int, truth: dict, work: Path) -> Run:
    out = work / f"peer-{rows}.json"
    cmd = [PEER_PY, str(ROOT / "bench" / "report_peer.py"), str(path)]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    env.pop("PYTHONPATH", None)
    wall, cpu, peak, code = _child(cmd, env, out)
    run = Run("pandas read_csv (chunks)", rows, wall, cpu, peak)
    if code != 0:
        run.problems.append(f"exit status {code}")
        return run
    got = json.loads(out.read_text())
    if got["currencies"] != truth["currencies"]:
        run.problems.append("per-currency figures differ")
    if got["monthly_revenue"] != truth["monthly_revenue"]:
        run.problems.append("monthly revenue differs")
    if not run.problems:
        run.checked = "same figures as the generator"
    return run


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _seconds(text: str) -> float:
    total = 0.0
    for value, unit in re.findall(r"([\d.]+) (h|min|s)\b", text):
        total += float(value) * {"h": 3600, "min": 60, "s": 1}[unit]
    return total


def _spread(values: list[float], fmt: str = "{:.1f}") -> str:
    if len(values) == 1:
        return fmt.format(values[0])
    return "/".join(fmt.format(v) for v in (min(values), median(values), max(values)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--runs", type=int, default=3, help="runs at sizes below 10M")
    parser.add_argument("--big-runs", type=int, default=1, help="runs at 10M rows and above")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--no-thrive", action="store_true", help="the peer alone")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "report.md"))
    args = parser.parse_args()
    sizes = [100_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    work = report_data.data_path(0).parent
    work.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()
    started = datetime.now(UTC)
    results: list[Run] = []
    for rows in sizes:
        t = time.perf_counter()
        path, truth = report_data.ensure(rows)
        print(
            f"{rows:,} rows: {path} ({path.stat().st_size / 1e6:,.0f} MB, "
            f"ready in {time.perf_counter() - t:.0f} s)",
            flush=True,
        )
        runs = 1 if args.quick else (args.big_runs if rows >= 10_000_000 else args.runs)
        for i in range(runs):
            for side in ("thrive", "peer"):
                if (side == "peer" and args.no_peer) or (side == "thrive" and args.no_thrive):
                    continue
                r = (run_thrive if side == "thrive" else run_peer)(path, rows, truth, work)
                results.append(r)
                print(
                    f"  run {i + 1} {r.side}: {r.wall:.1f} s wall, {r.cpu:.1f} s CPU, "
                    f"peak {r.peak_kb / 1024:,.0f} MiB, load {os.getloadavg()[0]:.2f}"
                    + (f" PROBLEMS: {r.problems}" if r.problems else f" ({r.checked})"),
                    flush=True,
                )
    load_end = os.getloadavg()
    text = _markdown(results, sizes, started, load_start, load_end, " ".join(sys.argv[1:]))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    return 1 if any(r.problems for r in results) else 0


def _markdown(
    results: list[Run],
    sizes: list[int],
    started: datetime,
    load_start: tuple[float, float, float],
    load_end: tuple[float, float, float],
    argv: str,
) -> str:
    lines = [
        f"# `thrive report` benchmark, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"Command: `bench/report {argv}`. Load average at start "
        f"{'/'.join(f'{x:.2f}' for x in load_start)}, at end "
        f"{'/'.join(f'{x:.2f}' for x in load_end)} ({os.cpu_count()} cores).",
        "Figures are min/median/max over the runs (one figure: one run). CPU = user + system "
        "time of the child; peak = its ru_maxrss (VmHWM).",
        "",
        "| rows | side | runs | wall s | CPU s | read s | rows/s (wall) | peak MiB | < 1 GiB "
        "| checked |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for rows in sizes:
        for side in ("thrive report", "pandas read_csv (chunks)"):
            rs = [r for r in results if r.rows == rows and r.side == side]
            if not rs:
                continue
            walls = [r.wall for r in rs]
            reads = [r.read_seconds for r in rs if r.read_seconds]
            peak = max(r.peak_kb for r in rs)
            problems = sorted({p for r in rs for p in r.problems})
            lines.append(
                f"| {rows:,} | {side} | {len(rs)} | {_spread(walls)} | "
                f"{_spread([r.cpu for r in rs])} | {_spread(reads) if reads else '–'} | "
                f"{_spread([rows / w for w in walls], '{:,.0f}')} | "
                f"{_spread([r.peak_kb / 1024 for r in rs], '{:,.0f}')} | "
                f"{'yes' if peak * 1024 < GOAL_BYTES else 'NO'} | "
                f"{'; '.join(problems) if problems else rs[0].checked} |"
            )
        t = [r for r in results if r.rows == rows and r.side == "thrive report"]
        p = [r for r in results if r.rows == rows and r.side != "thrive report"]
        if t and p:
            lines.append(
                f"| {rows:,} | ratio thrive / pandas | | "
                f"{median(r.wall for r in t) / median(r.wall for r in p):.1f}× | "
                f"{median(r.cpu for r in t) / median(r.cpu for r in p):.1f}× | | | "
                f"{max(r.peak_kb for r in t) / max(r.peak_kb for r in p):.1f}× | | |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
