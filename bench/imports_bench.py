"""Import speed: people and order lines through ``thrive import``, beside a plain bulk load.

For each database (SQLite, then PostgreSQL) this script

1. generates two files once, deterministically: ``people.csv`` (a spreadsheet of contacts:
   email, names, a company on one row in ten, a phone on one in five, city, signup date)
   and ``orders.csv`` (a shop's export in the Shopify layout: one row per line item, order
   fields on an order's first row only, 2.5 lines per order on average, refunds, voids and
   two currencies, customers drawn from a pool of ``lines / 8`` emails),
2. migrates a fresh database (a new SQLite file; a new database on the PostgreSQL server
   at ``--pg-url``),
3. runs ``thrive import people.csv --kind people --no-dry-run`` and ``thrive import
   orders.csv --preset shopify-orders --no-dry-run`` and reads the import's own timing
   (from the first row read to the last batch committed; Django's start-up is left out),
   then the dry run of the orders file on the now-full database,
4. loads the same rows into bare tables with no Thrive rules (one ``executemany`` per
   5,000 rows on SQLite, ``COPY`` on PostgreSQL, a transaction per batch, CSV parsed with
   the csv module): the floor any importer of these rows sits on,
5. writes rows/s, CPU seconds, peak memory and the ratio to the floor to ``--out``.

``--big-mb N`` adds a dry run of a generated people file of N MB (e.g. 1024 for the 1 GB
check) and reports its peak resident memory.

    bench/imports                                   200,000 people, 500,000 order lines
    bench/imports --people 1000000 --lines 5000000  the issue's sizes
    bench/imports --people 20000 --lines 50000 --backends sqlite --out /tmp/imports.md
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import os
import platform
import random
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THRIVE = [sys.executable, "-m", "thrive.cli"]
BATCH = 5000
CITIES = ["Leeds", "York", "Portland", "Austin", "Lyon", "Berlin", "Oslo", "Denver"]
PRODUCTS = [("HB-250", "House Blend 250g", "12.50"), ("ES-1K", "Espresso 1kg", "32.90"),
            ("MUG-1", "Ceramic Mug", "18.00"), ("FP-100", "Filter papers", "4.10"),
            ("DR-01", "Drip kettle", "49.00")]  # fmt: skip
ORDER_HEADER = ["Name", "Email", "Financial Status", "Currency", "Refunded Amount", "Created at",
                "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku",
                "Billing Name"]  # fmt: skip


def make_people(path: Path, n: int, seed: int = 7, prefix: str = "") -> None:
    rng = random.Random(seed)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Email", "First name", "Last name", "Company", "City", "Phone", "Joined"])
        for i in range(n):
            out.writerow([
                f"{prefix}person{i}@example.com", f"First{i}", f"Last{i % 9973}",
                f"Company {i % 5000}" if i % 10 == 0 else "", CITIES[i % len(CITIES)],
                f"+1415555{rng.randrange(10000):04d}" if i % 5 == 0 else "",
                f"20{18 + i % 7}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            ])  # fmt: skip


def make_orders(path: Path, lines: int, seed: int = 11, prefix: str = "") -> int:
    """Write about ``lines`` line-item rows; returns the exact number written."""
    rng = random.Random(seed)
    customers = max(lines // 8, 1)
    start = dt.datetime(2022, 1, 1, 9, tzinfo=dt.UTC)
    written, number = 0, 1000
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(ORDER_HEADER)
        while written < lines:
            number += 1
            count = min(rng.choice((1, 1, 2, 3, 4, 4)), lines - written)
            roll = rng.random()
            status = ("voided" if roll < 0.02 else "refunded" if roll < 0.05
                      else "partially_refunded" if roll < 0.08 else "paid")  # fmt: skip
            currency = "EUR" if number % 7 == 0 else "USD"
            when = start + dt.timedelta(minutes=17 * number)
            c = rng.randrange(customers)
            total = 0.0
            rows = []
            for k in range(count):
                sku, name, price = PRODUCTS[rng.randrange(len(PRODUCTS))]
                qty = 1 + (k % 2)
                total += qty * float(price)
                rows.append([qty, name, price, sku])
            refunded = f"{min(5.0, total):.2f}" if status == "partially_refunded" else ""
            for k, (qty, name, price, sku) in enumerate(rows):
                head = [f"#{prefix}{number}", f"{prefix}customer{c}@example.com", status,
                        currency, refunded, when.strftime("%Y-%m-%d %H:%M:%S +0000"),
                        ] if k == 0 else [f"#{prefix}{number}", "", "", "", "", ""]  # fmt: skip
                out.writerow([*head, qty, name, price, sku, f"Cust {c}" if k == 0 else ""])
            written += count
    return written


def make_big_people(path: Path, megabytes: int) -> int:
    target = megabytes * 1024 * 1024
    n = 0
    with path.open("w", newline="") as handle:
        handle.write("Email,First name,Last name,Company,City,Phone,Joined\n")
        while handle.tell() < target:
            block = "".join(
                f"big{n + i}@example.com,First{n + i},Last{(n + i) % 9973},,Leeds,,2024-01-02\n"
                for i in range(10_000)
            )
            handle.write(block)
            n += 10_000
    return n


@dataclass
class Timed:
    rows: int
    seconds: float
    cpu: float
    peak_mb: float
    note: str = ""
    server_cpu: float | None = None  # PostgreSQL's own CPU seconds for the run (same machine)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class ServerClock:
    """CPU seconds used by a PostgreSQL server running on this machine: the postmaster, its
    live processes and those it has reaped (a session's backend ends with the session)."""

    def __init__(self, pg_url: str | None) -> None:
        self.pid = None
        if not pg_url:
            return
        import psycopg

        try:
            with psycopg.connect(pg_url) as conn:
                data = conn.execute("SHOW data_directory").fetchone()[0]
            self.pid = int(Path(data, "postmaster.pid").read_text().split()[0])
        except (OSError, psycopg.Error, ValueError):
            self.pid = None  # a remote server, or no rights to read its files

    def seconds(self) -> float | None:
        if self.pid is None:
            return None
        tick = os.sysconf("SC_CLK_TCK")

        def fields(pid: int) -> list[str]:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

        try:
            main = fields(self.pid)
            total = sum(int(main[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
            for child in _children(self.pid):
                try:
                    total += sum(int(fields(child)[i]) for i in (11, 12))
                except OSError:
                    continue
        except OSError:
            return None
        return total / tick


CLOCK = ServerClock(None)


def _pss_kb(pid: int) -> int:
    """Proportional set size: resident memory, with pages shared between processes (a
    forked child's) divided among them, so the sum over processes is the true total."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"Pss:\s+(\d+) kB", text)
    return int(match.group(1)) if match else 0


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _watch_peak(pid: int, box: list[float]) -> None:
    """Peak memory of the command and the process it forks to read the file, together."""
    while Path(f"/proc/{pid}").exists():
        total = _pss_kb(pid) + sum(_pss_kb(c) for c in _children(pid))
        box[0] = max(box[0], total / 1024)
        time.sleep(0.2)


def thrive(args: list[str], env: dict[str, str]) -> tuple[str, float, float]:
    """Run ``thrive`` and return its output, CPU seconds and peak resident MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen([*THRIVE, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    peak = [0.0]
    watcher = threading.Thread(target=_watch_peak, args=(proc.pid, peak), daemon=True)
    watcher.start()
    out, err = proc.communicate()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"thrive {' '.join(args)} failed:\n{out}\n{err}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out, cpu, peak[0]


def _server_seconds(before: float | None) -> float | None:
    time.sleep(0.5)  # let the postmaster reap the session's backend
    after = CLOCK.seconds()
    return None if before is None or after is None else after - before


def import_file(path: Path, args: list[str], env: dict[str, str]) -> Timed:
    server = CLOCK.seconds()
    out, cpu, peak = thrive(["import", str(path), *args, "--no-progress"], env)
    server = _server_seconds(server)
    match = re.search(
        r"([\d,]+) rows read, ([\d,]+) rejected(?: in ([\d.]+) s \(([\d.]+) s of CPU\))?", out
    )
    if not match:
        raise SystemExit(f"unexpected output:\n{out}")
    rows = int(match.group(1).replace(",", ""))
    seconds = float(match.group(3)) if match.group(3) else 0.0
    cpu = float(match.group(4)) if match.group(4) else cpu
    summary = "; ".join(line.strip() for line in out.splitlines() if line.startswith("  "))
    return Timed(rows, seconds, cpu, peak, summary, server)


def timed_dry_run(path: Path, args: list[str], env: dict[str, str]) -> Timed:
    server = CLOCK.seconds()
    started = time.perf_counter()
    out, cpu, peak = thrive(["import", str(path), *args, "--dry-run", "--no-progress"], env)
    seconds = time.perf_counter() - started
    server = _server_seconds(server)
    rows = int(re.search(r"([\d,]+) rows read", out).group(1).replace(",", ""))  # type: ignore[union-attr]
    return Timed(rows, seconds, cpu, peak, "wall time, including start-up", server)


# -- the floor: the same rows into bare tables --------------------------------------------

PEOPLE_TABLE = ("floor_people", "email text primary key, first_name text, last_name text, "
                "company text, city text, phone text, joined text")  # fmt: skip
LINES_TABLE = ("floor_lines", "id bigint primary key, order_number text, email text, status text, "
               "currency text, refunded text, ordered_at text, quantity int, name text, "
               "price numeric(14,2), sku text, billing_name text")  # fmt: skip


def floor_load(path: Path, table: tuple[str, str], backend: str, target: str) -> Timed:
    name, columns = table
    started = time.perf_counter()
    cpu0 = time.process_time()
    numbered = name == "floor_lines"
    rows = 0
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        if backend == "sqlite":
            db = sqlite3.connect(target, isolation_level=None)
            db.execute(f"DROP TABLE IF EXISTS {name}")
            db.execute(f"CREATE TABLE {name} ({columns})")
            width = len(re.sub(r"\([^)]*\)", "", columns).split(","))
            sql = f"INSERT INTO {name} VALUES ({', '.join(['?'] * width)})"  # noqa: S608
            batch: list[list[object]] = []
            for record in reader:
                rows += 1
                batch.append([rows, *record] if numbered else record)
                if len(batch) >= BATCH:
                    db.execute("BEGIN IMMEDIATE")
                    db.executemany(sql, batch)
                    db.execute("COMMIT")
                    batch = []
            if batch:
                db.execute("BEGIN IMMEDIATE")
                db.executemany(sql, batch)
                db.execute("COMMIT")
            db.close()
        else:
            import psycopg

            with psycopg.connect(target, autocommit=True) as conn:
                conn.execute(f"DROP TABLE IF EXISTS {name}")
                conn.execute(f"CREATE TABLE {name} ({columns})")
                done = False
                while not done:
                    with conn.transaction(), conn.cursor() as cur:
                        with cur.copy(f"COPY {name} FROM STDIN") as copy:
                            for _ in range(BATCH):
                                record = next(reader, None)
                                if record is None:
                                    done = True
                                    break
                                rows += 1
                                copy.write_row([rows, *record] if numbered else record)
    return Timed(rows, time.perf_counter() - started, time.process_time() - cpu0, 0.0)


# -- a PostgreSQL cluster of the benchmark's own ------------------------------------------

PG_SETTINGS = ["shared_buffers=2GB", "max_wal_size=8GB", "listen_addresses=127.0.0.1"]


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise SystemExit("no PostgreSQL server binaries (initdb) found")
    return Path(initdb).parent


def _as_server_user(cmd: list[str]) -> list[str]:
    # initdb and the server refuse to run as root: run them as the postgres user then.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def own_cluster(port: int) -> Iterator[str]:
    """A fresh PostgreSQL cluster in a new directory under /tmp on ``port``, with the
    settings docs/operations.md recommends before a large import; stopped and removed at
    the end, also when the benchmark fails."""
    bin_dir = _pg_bin()
    home = Path(tempfile.mkdtemp(prefix=f"thrive-imports-pg{port}-"))
    data = home / "data"
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
    subprocess.run(
        _as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                         "-A", "trust", "--encoding=UTF8", "--locale=C.UTF-8"]),
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    options = " ".join(f"-c {o}" for o in [*PG_SETTINGS, f"unix_socket_directories={home}"])
    ctl = [str(bin_dir / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        _as_server_user([*ctl, "-o", f"-p {port} {options}", "-l", str(home / "log"), "-w",
                         "start"]),
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield f"postgres://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_server_user([*ctl, "-m", "fast", "-w", "stop"]),
                       check=False, stdout=subprocess.DEVNULL)  # fmt: skip
        shutil.rmtree(home, ignore_errors=True)


# -- databases ------------------------------------------------------------------------------


def fresh_database(backend: str, work: Path, pg_url: str, name: str) -> tuple[dict[str, str], str]:
    env = {
        **os.environ,
        "THRIVE_DATA_DIR": str(work / f"data-{backend}"),
        "THRIVE_ENV": "development",
    }
    shutil.rmtree(env["THRIVE_DATA_DIR"], ignore_errors=True)
    Path(env["THRIVE_DATA_DIR"]).mkdir(parents=True)
    if backend == "sqlite":
        env.pop("DATABASE_URL", None)
        target = str(Path(env["THRIVE_DATA_DIR"]) / "floor.sqlite3")
    else:
        import psycopg

        # Migrated once into a template; every fresh database is a copy of it (seconds,
        # where migrating each one takes minutes on a busy machine).
        template = f"{name}_template"
        with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as conn:
            made = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if made.fetchone() is None:
                conn.execute(f'CREATE DATABASE "{template}"')
                thrive(["migrate", "-v0"], {**env, "DATABASE_URL": f"{pg_url}/{template}"})
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            conn.execute(f'DROP DATABASE IF EXISTS "{name}_floor"')
            conn.execute(f'CREATE DATABASE "{name}_floor"')
        env["DATABASE_URL"] = f"{pg_url}/{name}"
        return env, f"{pg_url}/{name}_floor"
    thrive(["migrate", "-v0"], env)
    return env, target


def drop_databases(pg_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'DROP DATABASE IF EXISTS "{name}_floor"')
        conn.execute(f'DROP DATABASE IF EXISTS "{name}_template"')


def concurrent_imports(
    files: list[Path], args: list[str], env: dict[str, str]
) -> tuple[int, float, float, float | None]:
    """Import ``files`` at once, one ``thrive import`` process each (what that many workers
    do with that many queued import jobs); returns rows, wall seconds, Thrive CPU s (all
    processes) and server CPU s."""
    server = CLOCK.seconds()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    procs = [
        subprocess.Popen([*THRIVE, "import", str(f), *args, "--no-progress"], env=env, cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for f in files
    ]  # fmt: skip
    rows = 0
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"concurrent import failed:\n{out}\n{err}")
        found = re.search(r"([\d,]+) rows read, ([\d,]+) rejected", out)
        if not found or found.group(2) != "0":
            raise SystemExit(f"unexpected output of a concurrent import:\n{out}")
        rows += int(found.group(1).replace(",", ""))
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return rows, seconds, cpu, _server_seconds(server)


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", ""),
        help="Use this PostgreSQL server instead of starting one (--pg-port).",
    )
    parser.add_argument(
        "--pg-port",
        type=int,
        default=54360,
        help="Port of the cluster the benchmark starts for itself.",
    )
    parser.add_argument("--pg-db", default="thrive_imports_bench")
    parser.add_argument("--repeat", type=int, default=1, help="Runs of each import.")
    parser.add_argument("--kinds", default="people,lines", help="people, lines or both.")
    parser.add_argument("--no-dry", action="store_true", help="Leave out the dry run.")
    parser.add_argument(
        "--workers", default="", help="Also import with this many at once, e.g. 1,2,4."
    )
    parser.add_argument(
        "--worker-people",
        type=int,
        default=0,
        help="People in all the concurrent files together (default --people).",
    )
    parser.add_argument(
        "--worker-lines",
        type=int,
        default=0,
        help="Order lines in all the concurrent files together (default --lines).",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="A smoke run: 20,000 people, 50,000 order lines, workers 1,2.",
    )
    parser.add_argument(
        "--big-mb", type=int, default=0, help="Also dry-run a people file this big."
    )
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "thrive-imports-bench"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "imports.md")
    parser.add_argument("--keep", action="store_true", help="Keep the databases and files.")
    args = parser.parse_args()
    if args.quick:
        args.people, args.lines, args.workers = 20_000, 50_000, args.workers or "1,2"
    args.load_start = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # Stopped from outside (kill, a CI time-out): unwind, so the cluster is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with contextlib.ExitStack() as stack:
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
        if "postgresql" in backends and not args.pg_url:
            args.pg_url = stack.enter_context(own_cluster(args.pg_port))
        return _run(args, backends)


def _run(args: argparse.Namespace, backends: list[str]) -> int:
    args.work.mkdir(parents=True, exist_ok=True)
    people_csv, orders_csv = (
        args.work / f"people-{args.people}.csv",
        args.work / f"orders-{args.lines}.csv",
    )
    if not people_csv.exists() and "people" in args.kinds:
        print(f"writing {people_csv} …", file=sys.stderr)
        make_people(people_csv, args.people)
    if not orders_csv.exists() and "lines" in args.kinds:
        print(f"writing {orders_csv} …", file=sys.stderr)
        make_orders(orders_csv, args.lines)
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    results: dict[str, dict[str, list[Timed]]] = {}
    scaling: dict[str, list[tuple[str, int, int, float, float, float | None]]] = {}
    global CLOCK
    for backend in backends:
        r: dict[str, list[Timed]] = defaultdict(list)
        # Interleaved: each round imports people then order lines into a fresh database.
        for round_ in range(args.repeat):
            print(f"{backend}: round {round_ + 1}: fresh database", file=sys.stderr)
            env, target = fresh_database(backend, args.work, args.pg_url, args.pg_db)
            CLOCK = ServerClock(env["DATABASE_URL"] if backend == "postgresql" else None)
            if "people" in args.kinds:
                print(f"{backend}: importing people", file=sys.stderr)
                people = import_file(people_csv, ["--kind", "people", "--no-dry-run"], env)
                r["people"].append(people)
                print(f"{backend}: people {_said(people)}", file=sys.stderr)
                r["floor people"].append(floor_load(people_csv, PEOPLE_TABLE, backend, target))
            if "lines" not in args.kinds:
                continue
            print(f"{backend}: importing order lines", file=sys.stderr)
            lines = import_file(orders_csv, ["--preset", "shopify-orders", "--no-dry-run"], env)
            r["lines"].append(lines)
            print(f"{backend}: order lines {_said(lines)}", file=sys.stderr)
            r["floor lines"].append(floor_load(orders_csv, LINES_TABLE, backend, target))
            if round_ == 0 and not args.no_dry:
                print(f"{backend}: dry run of the orders file on the full database",
                      file=sys.stderr)  # fmt: skip
                r["dry"].append(timed_dry_run(orders_csv, ["--preset", "shopify-orders"], env))
        if args.big_mb:
            big = args.work / f"big-{args.big_mb}mb.csv"
            if not big.exists():
                print(f"writing {big} …", file=sys.stderr)
                make_big_people(big, args.big_mb)
            print(f"{backend}: dry run of a {args.big_mb} MB file", file=sys.stderr)
            r["big"].append(timed_dry_run(big, ["--kind", "people"], env))
        results[backend] = r
        if workers:
            scaling[backend] = _scaling(args, backend, workers)
        if backend == "postgresql" and not args.keep:
            drop_databases(args.pg_url, args.pg_db)
    args.load_end = os.getloadavg()
    args.out.write_text(report(args, results, people_csv, orders_csv, scaling))
    print(args.out.read_text())
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


def _scaling(
    args: argparse.Namespace, backend: str, workers: list[int]
) -> list[tuple[str, int, int, float, float, float | None]]:
    """The same rows imported by 1, 2, 4… concurrent imports, each its own file (its own
    people and orders, so no two imports meet the same email); a fresh database each time."""
    global CLOCK
    out = []
    total_people = args.worker_people or args.people
    total_lines = args.worker_lines or args.lines
    for n in workers:
        for kind, total, make, import_args in (
            ("people", total_people, make_people, ["--kind", "people", "--no-dry-run"]),
            ("order lines", total_lines, make_orders,
             ["--preset", "shopify-orders", "--no-dry-run"]),
        ):  # fmt: skip
            files = []
            for i in range(n):
                f = args.work / f"w{n}-{kind.replace(' ', '')}-{i}.csv"
                if not f.exists():
                    make(f, total // n, prefix=f"w{i}-")
                files.append(f)
            env, _ = fresh_database(backend, args.work, args.pg_url, args.pg_db)
            CLOCK = ServerClock(env["DATABASE_URL"] if backend == "postgresql" else None)
            print(f"{backend}: {n} concurrent {kind} imports", file=sys.stderr)
            rows, seconds, cpu, server = concurrent_imports(files, import_args, env)
            out.append((kind, n, rows, seconds, cpu, server))
            print(f"{backend}: {n} at once: {rows / seconds:,.0f} {kind}/s", file=sys.stderr)
    return out


def _said(t: Timed) -> str:
    """One run's figures, printed as it ends (a run stopped later still leaves them)."""
    return (
        f"{t.rows:,} rows in {t.seconds:.1f} s: {t.rate:,.0f}/s, CPU {t.cpu:.1f} s, server CPU "
        f"{_server(t) or '?'} s, peak {t.peak_mb:.0f} MB, load {os.getloadavg()[0]:.1f}"
    )


def _server(t: Timed) -> str:
    return "" if t.server_cpu is None else f"{t.server_cpu:.1f}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.0f} MB" if path.exists() else "no file"


def _mid(runs: list[Timed]) -> Timed:
    """The run with the median rate (of an even count, the lower middle one)."""
    return sorted(runs, key=lambda t: t.rate)[(len(runs) - 1) // 2]


def report(
    args: argparse.Namespace,
    results: dict[str, dict[str, list[Timed]]],
    people: Path,
    orders: Path,
    scaling: dict[str, list[tuple[str, int, int, float, float, float | None]]],
) -> str:
    big = f" --big-mb {args.big_mb}" if args.big_mb else ""
    rep = f" --repeat {args.repeat}" if args.repeat > 1 else ""
    wk = f" --workers {args.workers}" if args.workers else ""
    today = dt.datetime.now(dt.UTC).date()
    s, e = args.load_start, args.load_end
    lines = [
        "# Import speed",
        "",
        f"`bench/imports --people {args.people} --lines {args.lines}{rep}{wk}{big}` on {today}, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average at the start {s[0]:.1f} / {s[1]:.1f} / {s[2]:.1f}, at the end "
        f"{e[0]:.1f} / {e[1]:.1f} / {e[2]:.1f}.",
        "",
        f"Files: {_mb(people)} of people, {_mb(orders)} of order lines (Shopify layout). Thrive's "
        "figures are its own clock and CPU time, from the first row read to the last batch "
        "committed (start-up left out; dry runs: wall and CPU time of the whole command, "
        "start-up included). CPU s counts Thrive's processes (the command and the one it "
        "forks to read and check the file); server CPU s is PostgreSQL's own, on the same "
        "cores. Peak memory is both Thrive processes together (proportional set size: pages "
        "they share counted once). The floor loads the same rows into a "
        "bare table: no validation, no dedupe, no history, no undo records. With several "
        "runs, each row is the median run and the last column gives min / median / max rows/s.",
        "",
        _row(["database", "what", "rows", "seconds", "rows/s", "CPU s", "rows per CPU s",
              "server CPU s", "peak memory", "floor rows/s", "floor ÷ Thrive",
              "runs: min / median / max rows/s"]),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]  # fmt: skip
    kinds = (("people", "floor people", "people"), ("lines", "floor lines", "order lines"))
    for backend, r in results.items():
        for key, floor_key, label in kinds:
            if not r[key]:
                continue
            t, f = _mid(r[key]), _mid(r[floor_key])
            ratio = f.rate / t.rate if t.rate else float("nan")
            rates = sorted(x.rate for x in r[key])
            spread = f"{rates[0]:,.0f} / {_median(rates):,.0f} / {rates[-1]:,.0f} ({len(rates)})"
            lines.append(_row([
                backend, label, f"{t.rows:,}", f"{t.seconds:.1f}", f"{t.rate:,.0f}",
                f"{t.cpu:.1f}", f"{t.rows / t.cpu:,.0f}", _server(t), f"{t.peak_mb:.0f} MB",
                f"{f.rate:,.0f}", f"{ratio:.1f}×", spread,
            ]))  # fmt: skip
        extra = [("dry", "dry run of the order lines")] if r["dry"] else []
        if "big" in r:
            extra.append(("big", f"dry run of a {args.big_mb} MB people file"))
        for key, label in extra:
            d = r[key][0]
            lines.append(_row([
                backend, label, f"{d.rows:,}", f"{d.seconds:.1f}", f"{d.rate:,.0f}",
                f"{d.cpu:.1f}", f"{d.rows / d.cpu:,.0f}", _server(d), f"{d.peak_mb:.0f} MB",
                "", "", "",
            ]))  # fmt: skip
    lines += ["", "What each import did:", ""]
    for backend, r in results.items():
        for key, label in (("people", "people"), ("lines", "order lines")):
            if r[key]:
                lines.append(f"- {backend}, {label}: {r[key][0].note}")
    if scaling:
        lines += [
            "",
            "Concurrent imports (one `thrive import` process per file, as one worker per "
            "queued import job; each file its own people and orders; a fresh database for "
            "each line; wall time from the first start to the last end):",
            "",
            _row(["database", "what", "at once", "rows", "seconds", "rows/s", "× one",
                  "Thrive CPU s", "server CPU s"]),
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]  # fmt: skip
        for backend, found in scaling.items():
            one = {k: rows / sec for k, n, rows, sec, _, _ in found if n == found[0][1]}
            for kind, n, rows, seconds, cpu, server in found:
                rate = rows / seconds
                lines.append(_row([
                    backend, kind, str(n), f"{rows:,}", f"{seconds:.1f}", f"{rate:,.0f}",
                    f"{rate / one[kind]:.2f}", f"{cpu:.1f}",
                    "" if server is None else f"{server:.1f}",
                ]))  # fmt: skip
    lines += [
        "",
        "For scale: Mautic users report 2–10 contacts per second; another open-source CRM caps "
        "an import at 2,000 rows. The goal is 20,000 rows/s.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
