"""Workspace speed: the pages people use every day, timed over real HTTP at 100,000 people.

For each database (SQLite, then PostgreSQL) this script

1. builds the demo business (``thrive demo --people N --seed S --as-of D --reset``) into a
   fresh data directory under /tmp (for PostgreSQL into a throwaway server it starts on
   127.0.0.1 with the settings in :data:`PG_SETTINGS`),
2. runs the analytics refresh once (scores and the dashboard snapshot),
3. looks up what the URLs need (a common surname, the demo's segments, a few people) and
   counts the SQL queries each page makes, in-process with Django's test client,
4. starts ``thrive serve --no-worker`` on a loopback port, signs in through the login form
   (CSRF token and session cookie, as a browser does), and times ``--requests`` GETs of
   every page after ``--warmup`` untimed ones, one at a time,
5. writes p50/p95/max per page against the issue's targets to ``bench/WORKSPACE.md``.

Requests go only to 127.0.0.1; every loop is bounded in count and in time
(``--page-budget`` seconds per page). Servers and databases it started are stopped and
deleted at the end unless ``--keep`` is given.

    bench/workspace                       both databases, 100,000 people (about 10 minutes)
    bench/workspace --people 5000 --requests 10 --warmup 2 --out /tmp/ws.md   a smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.cookiejar
import json
import os
import platform
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
THRIVE = [sys.executable, "-m", "thrive.cli"]
HOST = "127.0.0.1"

# The targets, in milliseconds of p95 (the dashboard's and a segment count's are
# stated as plain limits; we hold their p95 to them too).
TARGETS_MS = {"list": 300, "person": 200, "dashboard": 500, "count": 1000}
KIND_WORDS = {
    "list": "list / search / filter",
    "person": "person 360°",
    "dashboard": "dashboard",
    "count": "segment count",
}

# A production-like small server on this 24 GiB, 2-core machine. fsync and
# synchronous_commit are off only to make the 100k-person build quicker, and autovacuum
# because the script runs VACUUM ANALYZE and CHECKPOINT itself after the build: the timed
# pages only read (apart from the session row written at sign-in), so none of these
# changes their times, and no background work lands in the CPU column.
PG_SETTINGS = {
    "shared_buffers": "1GB",
    "effective_cache_size": "4GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "512MB",
    "random_page_cost": "1.1",
    "jit": "off",
    "max_connections": "50",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "autovacuum": "off",
}

# Segment rules for the preview endpoint: cheap to expensive.
PREVIEW_RULES = {
    "stage is client or advocate": {
        "match": "all",
        "rules": [{"field": "stage", "op": "in", "value": ["client", "advocate"]}],
    },
    "spent > 250 and churn risk high": {
        "match": "all",
        "rules": [
            {"field": "orders_amount", "op": "gt", "value": 250},
            {"field": "churn_risk", "op": "in", "value": ["high"]},
        ],
    },
    "any activity in the last 30 days": {
        "match": "all",
        "rules": [{"field": "activity", "kind": "any", "op": "within_last_days", "value": 30}],
    },
    "3+ orders or tag subscriber, not lost": {
        "match": "all",
        "rules": [
            {
                "match": "any",
                "rules": [
                    {"field": "orders_count", "op": "gte", "value": 3},
                    {"field": "tag", "op": "has", "value": "subscriber"},
                ],
            },
            {"field": "stage", "op": "not_in", "value": ["lost"]},
        ],
    },
    "email contains 'example.net'": {
        "match": "all",
        "rules": [{"field": "email", "op": "contains", "value": "example.net"}],
    },
}


NOTES_MARK = "<!-- Everything below this line is kept when bench/workspace rewrites the file. -->"


@dataclass
class Page:
    label: str
    path: str
    kind: str
    queries: int | None = None
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: float | None = None  # CPU per timed request: web server + database processes
    round_p50s: list[float] = field(default_factory=list)  # p50 of each interleaved round
    note: str = ""

    def stat(self, q: float) -> float:
        ordered = sorted(self.times_ms)
        if not ordered:
            return float("nan")
        # Nearest-rank percentile: the value below which q of the samples fall.
        rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 1))))
        return ordered[rank - 1]

    @property
    def target(self) -> int:
        return TARGETS_MS[self.kind]

    @property
    def ok(self) -> bool:
        return bool(self.times_ms) and self.stat(0.95) < self.target


@dataclass
class Run:
    backend: str
    pages: list[Page]
    build_s: float
    refresh_s: float
    facts: dict[str, Any]
    load_before: str
    load_after: str
    db_version: str
    grow_s: float = 0.0  # copying the demo's customers inside PostgreSQL (bench/workspace_scale.py)
    factor: int = 1
    base_people: int = 0


# ---------------------------------------------------------------- processes and servers


def free_port(preferred: int) -> int:
    for port in [preferred, *range(preferred + 1, preferred + 50)]:
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port near {preferred}")


def run(cmd: list[str], env: dict[str, str], *, log: Path | None = None) -> float:
    """Run ``cmd`` to completion; return seconds taken; raise with its output on failure."""
    started = time.perf_counter()
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if log is not None:
        log.write_text(out.stdout + out.stderr)
    if out.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return time.perf_counter() - started


class Postgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1, run as the postgres user when root."""

    def __init__(self, root: Path, port: int) -> None:
        self.bin = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
        if not (self.bin / "initdb").exists():
            raise SystemExit(f"no PostgreSQL server binaries in {self.bin} (set PG_BIN)")
        self.root, self.port = root, port
        self.data, self.log = root / "pgdata", root / "postgres.log"
        self.as_postgres = os.geteuid() == 0

    def _cmd(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=self.root)

    def start(self, *, fresh: bool = True) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            shutil.chown(self.root, user="postgres")
        if fresh:
            self._cmd("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--locale=C.UTF-8")  # fmt: skip
        options = [f"-c listen_addresses={HOST}", f"-p {self.port}", f"-k {self.root}"]
        options += [f"-c {k}={v}" for k, v in PG_SETTINGS.items()]
        self._cmd("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o",
                  " ".join(options), "start")  # fmt: skip
        if fresh:
            self._cmd(
                "createdb", "-h", HOST, "-p", str(self.port), "-U", "postgres", "thrive_bench"
            )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._cmd("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/thrive_bench"


@contextlib.contextmanager
def serving(env: dict[str, str], port: int, log: Path) -> Iterator[tuple[str, int]]:
    """``thrive serve --no-worker`` on 127.0.0.1:port until the block ends."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*THRIVE, "serve", "--no-worker", "--host", HOST, "--port", str(port)],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"thrive serve exited:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(base + "/healthz", timeout=5) as r:  # noqa: S310
                    if r.status == 200:
                        break
            if time.monotonic() > deadline:
                raise SystemExit("thrive serve did not answer /healthz within 120 s")
            time.sleep(0.5)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class CpuMeter:
    """CPU seconds used so far by the web server and, for PostgreSQL, every process of
    the cluster (backends and parallel workers, including those that have exited).

    On a machine shared with other work the wall-clock times include waiting for a core;
    CPU time per request is what the page costs, whatever else is running.
    """

    def __init__(self, server_pid: int, postmaster_pid: int | None) -> None:
        self.server_pid, self.postmaster_pid = server_pid, postmaster_pid
        self.tick = os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _stat(pid: int) -> list[str] | None:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        return text.rpartition(")")[2].split()  # fields from the state on

    def seconds(self) -> float | None:
        server = self._stat(self.server_pid)
        if server is None:
            return None
        # After the ")": state is field 3 of proc(5), so utime (14) is index 11 here.
        ticks = int(server[11]) + int(server[12])
        if self.postmaster_pid is not None:
            main = self._stat(self.postmaster_pid)
            if main is None:
                return None
            ticks += sum(int(v) for v in main[11:15])  # own + exited children's time
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    fields = self._stat(int(entry.name))
                    if fields is not None and int(fields[1]) == self.postmaster_pid:
                        ticks += int(fields[11]) + int(fields[12])
        return ticks / self.tick


# ---------------------------------------------------------------- signing in and timing


class Browser:
    """A signed-in session: urllib with a cookie jar, sending the session cookie on
    every request, one request at a time."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def sign_in(self, username: str, password: str) -> None:
        login = self.base + "/accounts/login/"
        with self.opener.open(login, timeout=30) as r:
            html = r.read().decode()
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not match:
            raise SystemExit("no CSRF token on the login page")
        fields = {"csrfmiddlewaretoken": match.group(1), "username": username,
                  "password": password, "next": "/healthz"}  # fmt: skip
        body = urllib.parse.urlencode(fields).encode()
        # self.base is always http://127.0.0.1:port, so no other scheme can sneak in.
        request = urllib.request.Request(login, data=body, headers={"Referer": login})  # noqa: S310
        with self.opener.open(request, timeout=30) as r:
            r.read()
            if urllib.parse.urlsplit(r.geturl()).path != "/healthz":
                raise SystemExit(f"signing in as {username} failed (ended at {r.geturl()})")
        if not any(c.name == "sessionid" for c in self.jar):
            raise SystemExit("signed in but got no session cookie")

    def get(self, path: str) -> tuple[int, float, bytes]:
        """Status, milliseconds from sending to the last byte of the body, and the body."""
        request = urllib.request.Request(self.base + path)  # noqa: S310 - loopback http
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as r:
                body = r.read()
                status = r.status
        except urllib.error.HTTPError as exc:
            body, status = exc.read(), exc.code
        return status, (time.perf_counter() - started) * 1000, body

    def time_page(
        self, page: Page, *, warmup: int, count: int, budget_s: float, cpu: CpuMeter
    ) -> None:
        for _ in range(warmup):
            status, _ms, body = self.get(page.path)
            if status != 200:
                raise SystemExit(f"{page.path} answered {status}: {body[:300]!r}")
            if urllib.parse.urlsplit(page.path).path.rstrip("/") == "/segments/preview":
                page.note = f"count {json.loads(body)['count']:,}"
        deadline = time.monotonic() + budget_s
        cpu_before = cpu.seconds()
        timed = []
        for _ in range(count):
            status, ms, body = self.get(page.path)
            if status != 200:
                raise SystemExit(f"{page.path} answered {status}: {body[:300]!r}")
            timed.append(ms)
            if time.monotonic() > deadline:
                page.note = (page.note + "; " if page.note else "") + (
                    f"stopped at {len(timed)} requests in a round (time budget)"
                )
                break
        cpu_after = cpu.seconds()
        if cpu_before is not None and cpu_after is not None:
            cpu_ms = (cpu_after - cpu_before) * 1000
            # Averaged over every round's requests.
            done = len(page.times_ms)
            page.cpu_ms = ((page.cpu_ms or 0.0) * done + cpu_ms) / (done + len(timed))
        page.times_ms.extend(timed)
        page.round_p50s.append(sorted(timed)[(len(timed) - 1) // 2])


# ---------------------------------------------------------------- inside Django (child)

PROBE = r"""
import json, sys
import django
django.setup()
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from thrive.accounts.models import Associate
from thrive.contacts.models import Organization, Person
from thrive.segments.models import Segment

out = {}
surname = (Person.objects.exclude(last_name="").values("last_name")
           .annotate(n=Count("id")).order_by("-n", "last_name").first())
out["surname"] = surname["last_name"]
out["surname_count"] = surname["n"]
out["segments"] = {s.name: s.pk for s in Segment.objects.order_by("pk")}
busiest = (Person.objects.filter(stage__in=["client", "advocate"])
           .annotate(n=Count("orders")).order_by("-n", "pk").first())
people = {"most orders (%d)" % busiest.n: busiest.pk}
for stage in ("client", "prospect", "lost"):
    ids = list(Person.objects.filter(stage=stage).order_by("pk").values_list("pk", flat=True))
    people["a " + stage] = ids[len(ids) // 2]
partner = Person.objects.filter(roles__role="partner").order_by("pk").first()
if partner:
    people["a partner"] = partner.pk
out["people"] = people
out["facts"] = {
    "people": Person.objects.count(),
    "organizations": Organization.objects.count(),
    "database": connection.vendor,
}
with connection.cursor() as c:
    if connection.vendor == "postgresql":
        c.execute("select version()")
    else:
        c.execute("select 'SQLite ' || sqlite_version()")
    out["db_version"] = c.fetchone()[0]

paths = json.loads(sys.stdin.read())
client = Client()
client.force_login(Associate.objects.get(username="maya"))
counts = {}
for path in paths:
    with CaptureQueriesContext(connection) as q:
        response = client.get(path)
    counts[path] = len(q.captured_queries) if response.status_code == 200 else None
out["queries"] = counts
print("PROBE-JSON " + json.dumps(out))
"""


def probe(env: dict[str, str], paths: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], input=json.dumps(paths), env=env, cwd=ROOT,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    for line in out.stdout.splitlines():
        if line.startswith("PROBE-JSON "):
            return dict(json.loads(line.removeprefix("PROBE-JSON ")))
    raise SystemExit(f"probe failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")


def pages_for(found: dict[str, Any]) -> list[Page]:
    segments = found["segments"]
    slipping = segments.get("Valuable customers slipping away") or next(iter(segments.values()))
    champions = segments.get("Champions", slipping)
    subscribers = segments.get("Subscribers and wholesale", slipping)
    q = urllib.parse.quote(found["surname"])
    pages = [
        Page("people", "/people/", "list"),
        Page(f"search “{found['surname']}” ({found['surname_count']})", f"/people/?q={q}", "list"),
        Page("stage = client", "/people/?stage=client", "list"),
        Page("risk high, by revenue", "/people/?risk=high&sort=-revenue", "list"),
        Page("in segment “slipping away”", f"/people/?segment={slipping}", "list"),
        Page("in segment “subscribers”", f"/people/?segment={subscribers}", "list"),
        Page("people page 100", "/people/?page=100", "list"),
        Page("organizations", "/organizations/", "list"),
        # The list itself; each row's count is its own request, timed below.
        Page("segments list", "/segments/", "list"),
    ]
    for label, pk in found["people"].items():
        pages.append(Page(f"person: {label}", f"/people/{pk}/", "person"))
    pages += [
        Page("dashboard", "/", "dashboard"),
        Page("ecosystem map", "/ecosystem/", "dashboard"),
        Page("segment “slipping away”", f"/segments/{slipping}/", "count"),
        Page("segment “champions”", f"/segments/{champions}/", "count"),
        Page("segment “subscribers”", f"/segments/{subscribers}/", "count"),
    ]
    for name, pk in sorted(segments.items()):
        pages.append(Page(f"list count: {name}", f"/segments/{pk}/count", "count"))
    for label, rules in PREVIEW_RULES.items():
        text = urllib.parse.quote(json.dumps(rules, separators=(",", ":")))
        pages.append(Page(f"preview: {label}", f"/segments/preview?rules={text}", "count"))
    return pages


# ---------------------------------------------------------------- one backend


def prioritize(nice: int, pids: list[int], postmaster: int | None) -> None:
    """Give the web server, this client and the database cluster (its postmaster, so
    backends forked later too) the scheduling priority ``nice`` (negative needs root)."""
    if postmaster is not None:
        pids = [*pids, postmaster]
        for entry in Path("/proc").iterdir():
            fields = CpuMeter._stat(int(entry.name)) if entry.name.isdigit() else None
            if fields is not None and int(fields[1]) == postmaster:
                pids.append(int(entry.name))
    for pid in pids:
        try:
            os.setpriority(os.PRIO_PROCESS, pid, nice)
        except OSError as exc:
            print(f"could not renice {pid} to {nice}: {exc}", file=sys.stderr)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# Largest demo ``thrive demo`` builds here in reasonable time (about 100 s on PostgreSQL);
# above it the benchmark builds this many and copies them inside PostgreSQL.
DEMO_PEOPLE_MAX = 100_000

GROW = r"""
import sys
sys.path.insert(0, "bench")
import django
django.setup()
from django.db import connection, transaction
from workspace_scale import multiply
with transaction.atomic(), connection.cursor() as c:
    multiply(c, {factor}, log=lambda line: print(line, flush=True))
"""


def demo_size(people: int, backend: str, most: int = DEMO_PEOPLE_MAX) -> tuple[int, int]:
    """(people the demo builds, how many times over they are copied) for ``--people``,
    building at most ``most`` (``--demo-people``)."""
    if people <= most:
        return people, 1
    if backend != "postgresql" or people % most:
        raise SystemExit(
            f"--people above {most:,} needs PostgreSQL and a multiple of "
            f"{most:,} (the demo is built once and copied inside the database)"
        )
    return most, people // most


def bench_backend(backend: str, args: argparse.Namespace) -> Run:
    root = Path(tempfile.mkdtemp(prefix=f"thrive-wsbench-{backend}-", dir="/tmp"))
    root.chmod(0o755)  # the postgres user must reach its data directory inside
    data = root / "data"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env |= {
        "THRIVE_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "thrive.settings",
        "THRIVE_ENV": "development",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    pg = None
    if args.reuse:
        # Time again a build kept by --keep (its data directory and database).
        shutil.rmtree(root)
        root = Path(args.reuse)
        data = root / "data"
        env["THRIVE_DATA_DIR"] = str(data)
    try:
        if backend == "postgresql":
            pg = Postgres(root / "pg", free_port(args.pg_port))
            print(f"[{backend}] starting PostgreSQL on {HOST}:{pg.port}", flush=True)
            pg.start(fresh=not args.reuse)
            env["DATABASE_URL"] = pg.url
        base_people, factor = demo_size(args.people, backend, args.demo_people)
        if args.reuse:
            # Indexes added since the build (new migrations), then what the build ends with.
            build_s = grow_s = refresh_s = 0.0
            run([*THRIVE, "migrate", "-v0"], env)
            run([sys.executable, "-c", "import django; django.setup(); from django.db import "
                 "connection; c = connection.cursor(); c.execute('VACUUM ANALYZE'); "
                 "c.execute('CHECKPOINT')"], env)  # fmt: skip
        else:
            print(f"[{backend}] building the demo: {base_people:,} people…", flush=True)
            build_s = run(
                [*THRIVE, "demo", "--people", str(base_people), "--seed", str(args.seed),
                 "--as-of", args.as_of, "--reset", "--no-progress"],
                env, log=root / "demo.log",
            )  # fmt: skip
            grow_s = 0.0
            if factor > 1:
                print(f"[{backend}] built in {build_s:.0f} s; copying its customers to "
                      f"{factor}× inside PostgreSQL…", flush=True)  # fmt: skip
                grow_s = run([sys.executable, "-c", GROW.format(factor=factor)], env,
                             log=root / "grow.log")  # fmt: skip
                print((root / "grow.log").read_text(), end="", flush=True)
            print(f"[{backend}] built in {build_s + grow_s:.0f} s; analytics refresh…", flush=True)
            refresh_s = run(
                [*THRIVE, "shell", "-c",
                 "from thrive.analytics.refresh import run_refresh; run_refresh()"],
                env, log=root / "refresh.log",
            )  # fmt: skip
            if backend == "postgresql":
                # Autovacuum would analyze the freshly loaded tables within a minute or so;
                # doing it now makes the plans the same from one run to the next, and the
                # checkpoint writes the build's pages out before the timing, not during it.
                run([sys.executable, "-c", "import django; django.setup(); from django.db import "
                     "connection; c = connection.cursor(); c.execute('VACUUM ANALYZE'); "
                     "c.execute('CHECKPOINT')"], env)  # fmt: skip
        found = probe(env, [])
        pages = pages_for(found)
        counted = probe(env, [p.path for p in pages])
        for page in pages:
            page.queries = counted["queries"].get(page.path)
        signin = (data / "demo-signin.txt").read_text()
        match = re.search(r" as (\S+) / (\S+)", signin)
        if not match:
            raise SystemExit(f"no sign-in in {data / 'demo-signin.txt'}")
        port = free_port(args.port)
        with serving(env, port, root / "serve.log") as (base, server_pid):
            postmaster = None
            if pg is not None:
                postmaster = int((pg.data / "postmaster.pid").read_text().split()[0])
            cpu = CpuMeter(server_pid, postmaster)
            if args.nice:
                prioritize(args.nice, [server_pid, os.getpid()], postmaster)
            browser = Browser(base)
            browser.sign_in(match.group(1), match.group(2))
            load_before = loadavg()
            # Rounds interleave the pages (all pages once, then again…), so a burst of
            # other work on the machine lands on every page alike; the spread of the
            # rounds' p50s shows how repeatable each figure is.
            per_round = max(1, args.requests // args.rounds)
            for n in range(args.rounds):
                for page in pages:
                    browser.time_page(
                        page,
                        warmup=args.warmup if n == 0 else 1,
                        count=per_round,
                        budget_s=args.page_budget / args.rounds,
                        cpu=cpu,
                    )
            for page in pages:
                cpu_ms = f"{page.cpu_ms:6.1f}" if page.cpu_ms is not None else "     –"
                print(
                    f"[{backend}] {page.label:42} p50 {page.stat(0.5):7.1f}  p95 "
                    f"{page.stat(0.95):7.1f}  max {max(page.times_ms):7.1f} ms  "
                    f"CPU {cpu_ms} ms/request  {page.queries} queries  {page.note}",
                    flush=True,
                )
            load_after = loadavg()
        return Run(backend, pages, build_s, refresh_s, found["facts"], load_before,
                   load_after, found["db_version"], grow_s=grow_s, factor=factor,
                   base_people=base_people)  # fmt: skip
    finally:
        if pg is not None:
            with contextlib.suppress(subprocess.CalledProcessError):
                pg.stop()
        if args.keep or args.reuse:
            print(f"[{backend}] kept {root}", flush=True)
        else:
            shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------- report


def machine_facts() -> list[str]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB memory"
    import django

    return [
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"waitress (8 threads, `thrive serve --no-worker`), user {pwd.getpwuid(os.getuid())[0]}",
    ]


def _spread(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{ordered[0]:.0f} / {ordered[(len(ordered) - 1) // 2]:.0f} / {ordered[-1]:.0f}"


def render(runs: list[Run], args: argparse.Namespace, command: str, started: str) -> str:
    lines = [
        f"# Workspace speed at {args.people:,} people",
        "",
        "The issue's targets: list, search and filter pages p95 under 300 ms; person 360° "
        "under 200 ms; dashboard under 500 ms; a segment count over 100,000 people under 1 s. "
        "Every page is timed over HTTP from a signed-in session (the login form, its CSRF "
        "token and the session cookie), one request at a time, from sending the request to "
        "the last byte of the HTML or JSON. Percentiles are nearest-rank over the timed "
        "requests; *CPU ms* is the processor time one request cost the web server and (for "
        "PostgreSQL) the database server's processes, averaged over the timed requests: "
        "on a machine shared with other work the wall-clock times include waiting for a "
        "core, this does not; *queries* is the number of SQL queries the page ran (Django's "
        "test client in-process, same database).",
        "",
        f"Reproduce (writes this file): `{command}`",
        "",
        f"- Date: {started} (UTC)",
        *[f"- Machine: {fact}" for fact in machine_facts()],
        f"- Demo: `thrive demo --people {min(args.people, args.demo_people)} "
        f"--seed {args.seed} --as-of "
        f"{args.as_of} --reset`, then one analytics refresh "
        "(`run_refresh()`, as of the next day)",
        (
            f"- Priority: web server, database and client at nice {args.nice} (`--nice`), "
            "ahead of the other work on the machine"
            if args.nice
            else "- Priority: the default (nice 0), sharing the cores with the other work"
        ),
        f"- Requests: {args.warmup} untimed then {args.requests} timed GETs per page, "
        f"sequential, at most {args.page_budget:.0f} s per page"
        + (
            f", in {args.rounds} interleaved rounds (every page, then every page again)"
            if args.rounds > 1
            else ""
        ),
        "- PostgreSQL settings (`-c` on the command line, everything else the default): "
        + ", ".join(f"`{k}={v}`" for k, v in PG_SETTINGS.items())
        + "; `VACUUM ANALYZE` and `CHECKPOINT` after the build (what autovacuum and the "
        "checkpointer would soon do)",
        "- SQLite: Thrive's own settings (WAL, synchronous=NORMAL), no ANALYZE",
        "",
    ]
    for r in runs:
        lines += [
            f"## {r.db_version.split(' on ')[0].split(',')[0]}",
            "",
            f"{r.facts['people']:,} people, {r.facts['organizations']:,} organizations. "
            + (
                f"Demo of {r.base_people:,} people built in {r.build_s:.0f} s, its customers "
                f"copied {r.factor}× inside PostgreSQL (`bench/workspace_scale.py`, one "
                f"`INSERT … SELECT` per table) in {r.grow_s:.0f} s, "
                if r.factor > 1
                else f"Demo built in {r.build_s:.0f} s, "
            )
            + f"analytics refresh {r.refresh_s:.0f} s. "
            f"Load average (1, 5, 15 min) {r.load_before} before the timed requests, "
            f"{r.load_after} after (2 cores shared with other work).",
            "",
        ]
        spread = any(len(p.round_p50s) > 1 for p in r.pages)
        extra = (" rounds' p50 min / median / max |", " ---: |") if spread else ("", "")
        lines += [
            "| page | URL | target p95 | p50 ms | p95 ms | max ms | CPU ms | queries | met |"
            + extra[0],
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |" + extra[1],
        ]
        for p in r.pages:
            path = p.path if len(p.path) <= 60 else p.path[:57] + "…"
            label = p.label + (f" ({p.note})" if p.note else "")
            lines.append(
                f"| {label} | `{path}` | {p.target} | {p.stat(0.5):.0f} | {p.stat(0.95):.0f} "
                f"| {max(p.times_ms):.0f} | {f'{p.cpu_ms:.0f}' if p.cpu_ms is not None else '–'} "
                f"| {p.queries if p.queries is not None else '–'} "
                f"| {'yes' if p.ok else '**no**'} |"
                + (f" {_spread(p.round_p50s)} |" if spread else "")
            )
        missed = [p.label for p in r.pages if not p.ok]
        lines += ["", f"Missed: {', '.join(missed)}." if missed else "Every target met.", ""]
    lines += ["Preview rules (`/segments/preview?rules=…`, JSON):", ""]
    for label, rules in PREVIEW_RULES.items():
        lines.append(f"- {label}: `{json.dumps(rules, separators=(',', ':'))}`")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--demo-people",
        type=int,
        default=DEMO_PEOPLE_MAX,
        help="the demo builds at most this many; above it its customers are copied "
        "inside PostgreSQL up to --people",
    )
    parser.add_argument("--as-of", default=dt.datetime.now(dt.UTC).date().isoformat())
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--page-budget", type=float, default=90.0, help="seconds per page")
    parser.add_argument("--port", type=int, default=8760, help="thrive serve (or the next free)")
    parser.add_argument("--pg-port", type=int, default=54370, help="PostgreSQL (or next free)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "WORKSPACE.md"))
    parser.add_argument("--keep", action="store_true", help="keep the data dirs and logs")
    parser.add_argument(
        "--reuse",
        metavar="DIR",
        help="time again a PostgreSQL build kept by --keep (the directory it printed), "
        "without building; with --people as it was built",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="interleaved rounds the timed requests are split into"
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run the server, database and client at this priority, e.g. -10 (root) on a "
        "machine shared with other work; the report says so",
    )
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backends {sorted(unknown)}; use sqlite and/or postgresql")
    args.requests = max(1, min(args.requests, 1000))
    args.warmup = max(1, min(args.warmup, 100))
    args.rounds = max(1, min(args.rounds, args.requests))
    if args.reuse and backends != ["postgresql"]:
        parser.error("--reuse times a kept PostgreSQL build: use it with --backends postgresql")
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
    command = "bench/workspace" + (f" {' '.join(sys.argv[1:])}" if sys.argv[1:] else "")
    runs = [bench_backend(backend, args) for backend in backends]
    out = Path(args.out)
    # Written notes (what missed and why, what changed) survive a rerun.
    notes = out.read_text().partition(NOTES_MARK)[2] if out.exists() else ""
    out.write_text(render(runs, args, command, started) + "\n" + NOTES_MARK + notes)
    print(f"Wrote {args.out}")
    return 0 if all(p.ok for r in runs for p in r.pages) else 1


if __name__ == "__main__":
    sys.exit(main())
