"""Per-customer summaries of 10,000,000 orders on PostgreSQL, as the analytics adapter runs them.

    bench/run --pg-only [--quick]       (or: python bench/summaries_pg.py [--quick] [--keep])

1. Starts its own PostgreSQL server (the newest /usr/lib/postgresql/*/bin, or $PG_BIN) in a
   fresh data directory under /tmp, on 127.0.0.1:54340 ($BENCH_PG_PORT), and migrates
   Thrive's schema into it with ``manage.py migrate``.
2. Loads people and orders generated from a fixed seed: COPY in binary format (psycopg 3
   ``cursor.copy``) of fixed-width columns into a staging table, then one INSERT … SELECT
   into Thrive's own tables, with their secondary indexes and foreign keys dropped during
   the load and recreated afterwards, exactly as the migrations defined them.  The load runs
   with fsync, synchronous_commit and full_page_writes off; then VACUUM ANALYZE, CHECKPOINT.
3. Restarts the server with PostgreSQL's default durability settings and times
   ``thrive.analytics.aggregates.customer_purchase_days(as_of=…)`` in a separate Django
   process (DATABASE_URL set), several runs, and records EXPLAIN (ANALYZE, BUFFERS) of its
   SQL; the child's peak memory is its VmHWM.
4. Checks the summaries against the same aggregation done in numpy on the generated data
   (every customer's first and last day, purchase days, revenue and first-day revenue).

Writes ``bench/results/summaries_pg.md`` (``summaries_pg-quick.md``).  The target: under
30 s for 10,000,000 orders.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
PORT = int(os.environ.get("BENCH_PG_PORT", "54340"))
DB = "thrive_bench"
TARGET_S = 30.0
EPOCH_2000_US = 946_684_800 * 1_000_000  # PostgreSQL timestamps count from 2000-01-01
START = np.datetime64("2023-01-01", "D")
DAYS = 3 * 365
AS_OF = "2025-12-01"  # the last month of orders lies after as_of and must be left out
STATUSES = ("completed", "refunded", "partially_refunded", "voided", "pending")
STATUS_P = (0.90, 0.03, 0.03, 0.02, 0.02)
CURRENCIES = ("USD", "EUR")
LOAD_SETTINGS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "wal_level=minimal",
    "max_wal_senders=0",
    "max_wal_size=8GB",
    "maintenance_work_mem=1GB",
    "checkpoint_timeout=30min",
)


@dataclass(frozen=True)
class Sizes:
    orders: int
    people: int
    runs: int


FULL = Sizes(orders=10_000_000, people=1_500_000, runs=3)
QUICK = Sizes(orders=1_000_000, people=150_000, runs=3)


# --- data --------------------------------------------------------------------------------


def generate(sizes: Sizes, seed: int = 7) -> dict[str, np.ndarray]:
    """Orders in time order (as a shop appends them): every person orders at least once,
    the other orders go to people in proportion to a Gamma(0.6)-distributed rate."""
    rng = np.random.default_rng(seed)
    n, p = sizes.orders, sizes.people
    rate = rng.gamma(0.6, 1.0, p)
    extra = rng.choice(p, size=n - p, p=rate / rate.sum())
    person = np.concatenate([np.arange(p), extra])
    first_second = rng.integers(0, DAYS * 86400, p)
    # Later orders fall uniformly between the person's first order and the end.
    span = DAYS * 86400 - first_second[extra]
    later = first_second[extra] + (rng.random(n - p) * span).astype(np.int64)
    seconds = np.concatenate([first_second, later])
    order = np.argsort(seconds, kind="stable")
    person, seconds = person[order], seconds[order]
    total = np.maximum(np.round(np.exp(rng.normal(3.6, 0.8, n)) * 100), 100).astype(np.int64)
    status = rng.choice(len(STATUSES), size=n, p=STATUS_P).astype(np.int16)
    refunded = np.zeros(n, dtype=np.int64)
    refunded[status == 1] = total[status == 1]
    part = status == 2
    refunded[part] = (total[part] * rng.uniform(0.1, 0.9, int(part.sum()))).astype(np.int64)
    currency = (rng.random(n) < 0.03).astype(np.int16)
    return {
        "person": person + 1,  # ids start at 1
        "seconds": seconds,  # since START, UTC
        "total": total,  # cents
        "refunded": refunded,
        "status": status,
        "currency": currency,
    }


def expected(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``customer_purchase_days`` computed in numpy (business time zone UTC)."""
    as_of = (np.datetime64(AS_OF, "D") - START).astype(np.int64)
    day = data["seconds"] // 86400
    keep = (data["status"] <= 2) & (data["currency"] == 0) & (day < as_of)
    person, day = data["person"][keep], day[keep]
    net = (data["total"] - data["refunded"])[keep]
    order = np.lexsort((day, person))
    person, day, net = person[order], day[order], net[order]
    new_day = np.r_[True, (person[1:] != person[:-1]) | (day[1:] != day[:-1])]
    starts = np.flatnonzero(new_day)
    d_person, d_day = person[starts], day[starts]
    d_net = np.add.reduceat(net, starts)
    first = np.flatnonzero(np.r_[True, d_person[1:] != d_person[:-1]])
    last = np.r_[first[1:], d_person.size] - 1
    return {
        "person_ids": d_person[first],
        "first_day": START + d_day[first],
        "last_day": START + d_day[last],
        "purchase_days": np.diff(np.r_[first, d_person.size]),
        "revenue_cents": np.add.reduceat(d_net, first),
        "first_day_revenue_cents": d_net[first],
    }


# --- server ------------------------------------------------------------------------------


def pg_bin() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if not found:
        raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql)")
    return found[-1].parent


class Server:
    """A throwaway PostgreSQL cluster; runs as the postgres user when we are root."""

    def __init__(self, root: Path) -> None:
        self.bin = pg_bin()
        self.root = root
        self.data = root / "data"
        self.log = root / "server.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(root, user="postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bin / tool), *args]
        kwargs: dict[str, Any] = {"check": True, "stdout": subprocess.DEVNULL}
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            kwargs.update(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[], cwd=self.root)
        subprocess.run(cmd, **kwargs)

    def start(self, settings: tuple[str, ...]) -> None:
        options = " ".join(
            [f"-c listen_addresses=127.0.0.1 -p {PORT} -k {self.data}"]
            + [f"-c {s}" for s in settings]
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, db: str = DB) -> str:
        return f"postgres://postgres@127.0.0.1:{PORT}/{db}"


# --- load --------------------------------------------------------------------------------


def _binary_rows(columns: list[tuple[str, np.ndarray]]) -> bytes:
    """PostgreSQL binary COPY tuples for fixed-width big-endian columns."""
    n = columns[0][1].size
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for name, values in columns:
        fields += [(f"{name}_len", ">i4"), (name, ">" + values.dtype.str[1:])]
    rows = np.empty(n, dtype=np.dtype(fields))
    rows["count"] = len(columns)
    for name, values in columns:
        rows[f"{name}_len"] = values.dtype.itemsize
        rows[name] = values
    return rows.tobytes()


def _copy_binary(cur: Any, table: str, columns: list[tuple[str, np.ndarray]]) -> None:
    header = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
    names = ", ".join(name for name, _ in columns)
    n = columns[0][1].size
    with cur.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(header)
        for lo in range(0, n, 1_000_000):
            copy.write(_binary_rows([(name, v[lo : lo + 1_000_000]) for name, v in columns]))
        copy.write(b"\xff\xff")


def _fill_expression(field: Any, overrides: dict[str, str]) -> str:
    """SQL for one column of an INSERT … SELECT: an override, NULL or the model default."""
    from psycopg import sql

    if field.column in overrides:
        return overrides[field.column]
    if field.null:
        return "NULL"
    default = field.get_default()
    if isinstance(default, dict | list):
        return sql.Literal(json.dumps(default)).as_string() + "::jsonb"
    if isinstance(default, dt.datetime):
        return "now()"
    if default is None:
        raise ValueError(f"no value for the NOT NULL column {field.column}: add an override")
    return sql.Literal(str(default)).as_string()


def _insert_select(cur: Any, model: Any, source: str, overrides: dict[str, str]) -> None:
    """INSERT INTO the model's table SELECT every concrete column from ``source`` rows."""
    from psycopg import sql

    fields = model._meta.concrete_fields
    statement = sql.SQL("INSERT INTO {table} ({columns}) SELECT {values} FROM {source} s")
    cur.execute(
        statement.format(
            table=sql.Identifier(model._meta.db_table),
            columns=sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
            values=sql.SQL(", ").join(sql.SQL(_fill_expression(f, overrides)) for f in fields),
            source=sql.Identifier(source),
        )
    )


def _detach(cur: Any, table: str) -> list[str]:
    """Drop the table's secondary indexes and its unique/foreign-key constraints; return
    the statements that recreate them exactly."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
        (table,),
    )
    constraints = cur.fetchall()
    cur.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        (table,),
    )
    indexes = cur.fetchall()
    for name, _ in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    return [definition for _, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for name, definition in constraints
    ]


def load(url: str, data: dict[str, np.ndarray], n_people: int) -> dict[str, float]:
    import django
    import psycopg
    from psycopg import sql

    django.setup()
    from thrive.commerce.models import Order
    from thrive.contacts.models import Person

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        restore = _detach(cur, "commerce_order") + _detach(cur, "contacts_person")
        cur.execute("CREATE UNLOGGED TABLE stage_person (id bigint)")
        _copy_binary(cur, "stage_person", [("id", np.arange(1, n_people + 1, dtype=np.int64))])
        micros = (START.astype("datetime64[s]").astype(np.int64) + data["seconds"]) * 1_000_000
        cur.execute(
            "CREATE UNLOGGED TABLE stage_order (id bigint, person_id bigint, ordered_at "
            "timestamptz, total bigint, refunded bigint, status smallint, currency smallint)"
        )
        _copy_binary(
            cur,
            "stage_order",
            [
                ("id", np.arange(1, data["person"].size + 1, dtype=np.int64)),
                ("person_id", data["person"].astype(np.int64)),
                ("ordered_at", micros - EPOCH_2000_US),
                ("total", data["total"]),
                ("refunded", data["refunded"]),
                ("status", data["status"]),
                ("currency", data["currency"]),
            ],
        )
        timings["COPY (binary) into staging tables"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        people = {"id": "s.id", "created_at": "now()", "updated_at": "now()", "stage": "'client'"}
        _insert_select(cur, Person, "stage_person", people)
        status = "(ARRAY[" + ", ".join(f"'{s}'" for s in STATUSES) + "])[s.status + 1]"
        currency = "(ARRAY[" + ", ".join(f"'{c}'" for c in CURRENCIES) + "])[s.currency + 1]"
        orders = {
            "id": "s.id",
            "person_id": "s.person_id",
            "number": "'B' || s.id",
            "ordered_at": "s.ordered_at",
            "created_at": "s.ordered_at",
            "updated_at": "s.ordered_at",
            "status": status,
            "currency": currency,
            "total": "s.total / 100.0",
            "refunded": "s.refunded / 100.0",
            "source": "'bench'",
        }
        _insert_select(cur, Order, "stage_order", orders)
        timings["INSERT … SELECT into contacts_person and commerce_order"] = (
            time.perf_counter() - t1
        )
        t2 = time.perf_counter()
        for statement in restore:
            cur.execute(statement)
        for table in ("contacts_person", "commerce_order"):
            cur.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence(%s, 'id'), max(id)) FROM {}").format(
                    sql.Identifier(table)
                ),
                (table,),
            )
        cur.execute("DROP TABLE stage_person, stage_order")
        timings["recreate indexes and constraints"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        cur.execute("VACUUM ANALYZE")
        cur.execute("CHECKPOINT")
        timings["VACUUM ANALYZE, CHECKPOINT"] = time.perf_counter() - t3
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('commerce_order'))")
        timings_note = cur.fetchone()
    timings["total"] = time.perf_counter() - t0
    print(f"  commerce_order with its indexes: {timings_note[0] if timings_note else '?'}")
    return timings


# --- timing child ------------------------------------------------------------------------


def child(out: Path, runs: int) -> int:
    """In a fresh process: time customer_purchase_days, EXPLAIN its SQL, save the result."""
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from thrive.analytics.aggregates import customer_purchase_days

    as_of = dt.date.fromisoformat(AS_OF)
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = customer_purchase_days(as_of=as_of)
        times.append(time.perf_counter() - start)
    peak = _vm_hwm_mb()
    assert result is not None
    with CaptureQueriesContext(connection) as captured:
        customer_purchase_days(as_of=as_of)
    # Replay what the call ran (planner settings included), explaining the big query.
    statements = [q["sql"] for q in captured.captured_queries]
    sql = max(statements, key=len)
    plan = ""
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            if statement in ("BEGIN", "COMMIT") or statement.startswith(("SAVEPOINT", "RELEASE")):
                continue
            if statement is sql:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            else:
                cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()
        cursor.execute("SELECT version()")
        version = cursor.fetchone()
    summary = {
        "times": times,
        "rows": int(result.person_ids.size),
        "peak_mb": peak,
        "sql": "\n".join(statements),
        "plan": plan,
        "settings": f"work_mem {work_mem[0] if work_mem else '?'}, shared_buffers "
        f"{shared_buffers[0] if shared_buffers else '?'}",
        "version": version[0] if version else "?",
    }
    out.with_suffix(".json").write_text(json.dumps(summary))
    np.savez(
        out.with_suffix(".npz"),
        person_ids=result.person_ids,
        first_day=result.first_day,
        last_day=result.last_day,
        purchase_days=result.purchase_days,
        revenue=result.revenue,
        first_day_revenue=result.first_day_revenue,
    )
    return 0


def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def verify(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> list[str]:
    problems = []
    if got["person_ids"].shape != want["person_ids"].shape or not np.array_equal(
        got["person_ids"], want["person_ids"]
    ):
        return [f"customers differ: {got['person_ids'].size} vs {want['person_ids'].size}"]
    for name in ("first_day", "last_day", "purchase_days"):
        if not np.array_equal(got[name], want[name]):
            problems.append(f"{name} differs")
    for name in ("revenue", "first_day_revenue"):
        cents = np.round(got[name] * 100).astype(np.int64)
        if not np.array_equal(cents, want[f"{name}_cents"]):
            problems.append(f"{name} differs")
    return problems


# --- main --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000,000 orders")
    parser.add_argument("--keep", action="store_true", help="leave the server running")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
    os.environ["THRIVE_TIME_ZONE"] = "UTC"
    os.environ["THRIVE_CURRENCY"] = "USD"
    if args.child:
        return child(args.child, args.runs)
    sizes = QUICK if args.quick else FULL
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise SystemExit(f"127.0.0.1:{PORT} is in use; set BENCH_PG_PORT to a free port")
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_start = os.getloadavg()
    root = Path(tempfile.mkdtemp(prefix="thrive-bench-pg-", dir="/tmp"))
    server = Server(root)
    url = server.url()
    os.environ["DATABASE_URL"] = url
    env = dict(os.environ)
    try:
        print(
            f"PostgreSQL ({server.bin}) in {root}, port {PORT}; loading with "
            f"{', '.join(LOAD_SETTINGS)}",
            flush=True,
        )
        server.start(LOAD_SETTINGS)
        import psycopg

        with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DB}")
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=REPO,
            env=env,
            check=True,
        )
        t_migrate = time.perf_counter() - t
        t = time.perf_counter()
        data = generate(sizes)
        want = expected(data)
        t_generate = time.perf_counter() - t
        print(
            f"  migrate {t_migrate:.1f} s; generated {sizes.orders:,} orders for "
            f"{sizes.people:,} people in {t_generate:.1f} s",
            flush=True,
        )
        timings = load(url, data, sizes.people)
        print("  load: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()), flush=True)
        # Reads are timed with the default durability settings and a cold shared buffer pool
        # (the operating system's page cache stays warm).
        server.stop()
        server.start(())
        load_before = os.getloadavg()
        out = root / "child"
        subprocess.run(
            [sys.executable, __file__, "--child", str(out), "--runs", str(sizes.runs)],
            cwd=REPO,
            env=env,
            check=True,
            timeout=1800,
        )
        summary = json.loads(out.with_suffix(".json").read_text())
        with np.load(out.with_suffix(".npz")) as f:
            got = {k: f[k] for k in f.files}
        problems = verify(got, want)
    finally:
        if args.keep:
            print(f"Server left running: {url} (data in {root})")
        else:
            try:
                server.stop()
            finally:
                shutil.rmtree(root, ignore_errors=True)
    text = report(
        sizes,
        summary,
        problems,
        timings,
        started,
        load_start,
        load_before,
        os.getloadavg(),
        args.quick,
    )
    RESULTS.mkdir(exist_ok=True)
    name = "summaries_pg-quick.md" if args.quick else "summaries_pg.md"
    (RESULTS / name).write_text(text)
    print()
    print(text)
    print(f"Written to {RESULTS / name}")
    return 0 if not problems and min(summary["times"]) < TARGET_S else 1


def report(
    sizes: Sizes,
    summary: dict[str, Any],
    problems: list[str],
    timings: dict[str, float],
    started: str,
    load_start: tuple[float, ...],
    load_before: tuple[float, ...],
    load_end: tuple[float, ...],
    quick: bool,
) -> str:
    times = summary["times"]
    best = min(times)
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    verdict = "met" if best < TARGET_S and not problems else "missed"
    checks = "identical to numpy's aggregation" if not problems else "; ".join(problems)
    lines = [
        f"# Per-customer summaries on PostgreSQL{' (quick mode)' if quick else ''}",
        "",
        f"- Command: `bench/run{' --quick' if quick else ''} --pg-only`; date {started}",
        f"- Machine: {cpu}, {len(os.sched_getaffinity(0))} cores; {summary['version']}",
        f"- Server: own cluster on 127.0.0.1:{PORT}; loaded with {', '.join(LOAD_SETTINGS)}; "
        f"timed after a restart with the default durability settings (fsync on), "
        f"{summary['settings']} (PostgreSQL defaults), cold shared buffers, warm OS cache",
        f"- Load average (1, 5, 15 min): {fmt_load(load_start)} at start, "
        f"{fmt_load(load_before)} before timing, {fmt_load(load_end)} at end",
        "- Load phase (not timed by the benchmark): "
        + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()),
        "",
        "| Benchmark | Data | Thrive | Runs | Customers | Peak MB | Target | Result |",
        "|---|---|---|---|---|---|---|---|",
        f"| Per-customer summaries (`customer_purchase_days`) | {sizes.orders:,} orders, "
        f"{sizes.people:,} people, PostgreSQL | {best:.2f} s (best of {len(times)}) | "
        f"{', '.join(f'{t:.2f}' for t in times)} s | {summary['rows']:,} | "
        f"{summary['peak_mb']:.0f} | < {TARGET_S:.0f} s | {verdict} |",
        "",
        f"Result check: {checks}.",
        "",
        "Time: the whole call in a Django process — the SQL on the server, fetching one row per "
        "customer, and turning the rows into numpy arrays. Peak MB: that process's VmHWM.",
        "",
        "## The query and its plan (EXPLAIN ANALYZE, after the timed runs)",
        "",
        "```sql",
        summary["sql"],
        "```",
        "",
        "```",
        summary["plan"],
        "```",
    ]
    return "\n".join(lines) + "\n"


def fmt_load(load: tuple[float, ...]) -> str:
    return ", ".join(f"{v:.2f}" for v in load)


if __name__ == "__main__":
    sys.exit(main())
