"""Outreach and automation speed: a 100,000-recipient campaign through real `thrive worker`
processes to an SMTP sink on loopback, and the workflow engine over 1,000,000 activities.

    bench/outreach                                   both databases, 1 then 2 workers
    bench/outreach --backends sqlite --people 5000 --activities 50000 --out /tmp/o.md
    bench/outreach --help                            every option

For each database (SQLite in a fresh THRIVE_DATA_DIR under /tmp; PostgreSQL started here
on 127.0.0.1 from /usr/lib/postgresql/15/bin or $PG_BIN, initdb in /tmp):

1. Sending. ``migrate``; people with emails, a custom field and email-marketing consent
   (bulk_create: setup, not measured); a personalised template (first-name fallback, a
   custom field, a link so click tracking rewrites it); a segment covering everyone. Then,
   for 1 and for 2 workers, a fresh campaign is sent now and that many ``thrive worker``
   processes are started. An aiosmtpd sink in its own process counts messages and
   Message-IDs. Measured: messages per second at the sink (first to last message) and
   from the campaign start (worker start to last message); each worker's RSS when a
   quarter and all of the list was sent, and its peak (VmHWM). Checked: the sink got
   exactly one message per recipient with no repeated Message-ID, and every delivery is
   ``sent``. Quiet hours are off and the weekly cap is 1,000,000 (THRIVE_QUIET_HOURS,
   THRIVE_MAX_AUTOMATED_PER_WEEK) so every person is sent to.
2. Workflow evaluation. A separate database: people, four active workflows (tag added,
   stage changed, order placed over a total, form submitted) and then the activity log
   bulk-inserted (COPY on PostgreSQL) with a mix of kinds of which a fraction match.
   Timed: ``thrive.automations.engine.process_activities`` from cursor 0 until it has read
   the whole log, in a process of its own.

Only 127.0.0.1 is used; every run is bounded by --timeout and stops by itself; the
temporary directory and the PostgreSQL server are removed at the end (--keep keeps them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
# The interpreter running this script (Thrive's .venv, or bench/.venv-peers with
# PYTHONPATH at this checkout) runs every phase, the sink and the workers.
PYTHON = Path(sys.executable)
THRIVE = [str(PYTHON), "-m", "thrive.cli"]
EMAIL_DOMAIN = "bench.example"
MSG_TARGET = 500.0  # messages per second per worker
ACT_TARGET = 5000.0  # activities per second


# --- small helpers ---------------------------------------------------------------------


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError("no free port")


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of ``pid`` in KiB (empty once it has exited)."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds ``pid`` has used (None once it has exited)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of ``pid`` and of every child it has had (reaped children through
    cutime/cstime, live ones read directly): a PostgreSQL cluster's whole CPU from its
    postmaster, backends that have exited included."""

    def own(p: int) -> tuple[float, float]:
        try:
            f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0, 0.0
        tick = os.sysconf("SC_CLK_TCK")
        return (int(f[11]) + int(f[12])) / tick, (int(f[13]) + int(f[14])) / tick

    total = sum(own(pid))
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        kids = []
    for kid in kids:
        total += sum(own(int(kid)))
    return total


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def stop(proc: subprocess.Popen[bytes], grace: float = 30) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def child(env: dict[str, str], *args: str, timeout: float) -> dict[str, Any]:
    """Run a phase of this script in its own Django process; returns its JSON answer."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [str(PYTHON), str(Path(__file__)), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"phase {args[0]} failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- PostgreSQL --------------------------------------------------------------------------


class Postgres:
    """A throwaway server on 127.0.0.1 (run as the postgres user when we are root)."""

    def __init__(self, root: Path, port: int) -> None:
        self.bin = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
        self.root, self.port = root, port
        self.data, self.log = root / "pgdata", root / "pg.log"
        self.settings = [
            "jit=off",
            "shared_buffers=256MB",
            "max_connections=40",
            "listen_addresses=127.0.0.1",
            f"port={port}",
            f"unix_socket_directories={root}",
        ]

    def _cmd(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True)  # noqa: S603

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._cmd("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        opts = " ".join(f"-c {s}" for s in self.settings)
        self._cmd("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", opts, "start")

    def pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def createdb(self, name: str) -> str:
        self._cmd("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.data.exists():
            self._cmd("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


# --- the SMTP sink (its own process) -----------------------------------------------------

_MSGID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


def sink_main(port: int, stats_path: Path) -> None:
    """Accept every message, remember its Message-ID, write counts to ``stats_path``."""
    from aiosmtpd.controller import Controller

    state: dict[str, Any] = {"count": 0, "dupes": 0, "no_id": 0, "first": None, "last": None}
    seen: set[bytes] = set()
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            content = envelope.original_content or envelope.content
            head = content[: content.find(b"\r\n\r\n")]
            found = _MSGID.search(head)
            now = time.time()
            with lock:
                state["count"] += 1
                state["first"] = state["first"] or now
                state["last"] = now
                if found is None:
                    state["no_id"] += 1
                elif found.group(1) in seen:
                    state["dupes"] += 1
                else:
                    seen.add(found.group(1))
            return "250 OK"

    def write() -> None:
        with lock:
            text = json.dumps(state)
        tmp = stats_path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(stats_path)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    write()
    while not done.wait(0.2):
        write()
    controller.stop()
    write()


class Sink:
    def __init__(self, root: Path, port: int) -> None:
        self.port = free_port(port)
        self.stats = root / f"sink-{self.port}.json"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603
            [str(PYTHON), str(Path(__file__)), "_sink", str(self.port), str(self.stats)],
            cwd=REPO,
        )
        deadline = time.monotonic() + 20
        while not self.stats.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the SMTP sink did not start")
            time.sleep(0.05)

    def read(self) -> dict[str, Any]:
        try:
            return json.loads(self.stats.read_text())
        except (OSError, ValueError):
            return {"count": 0}

    def stop(self) -> dict[str, Any]:
        if self.proc is not None:
            stop(self.proc, 10)
        return self.read()


# --- Django phases (run in child processes) ----------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
    import django

    django.setup()


def _people(n: int, *, consent: bool) -> None:
    from django.db import transaction

    from thrive.contacts.models import Consent, ConsentMethod, ConsentPurpose, Person

    zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "", "Australia/Sydney"]
    roasts = ["Light", "Medium", "Dark", ""]
    step = 5000
    for start in range(0, n, step):
        with transaction.atomic():
            made = Person.objects.bulk_create(
                Person(
                    first_name="" if i % 10 == 0 else f"Ann{i}",
                    last_name=f"Bench{i}",
                    email=f"p{i}@{EMAIL_DOMAIN}",
                    time_zone=zones[i % len(zones)],
                    custom_fields={"favourite_roast": roasts[i % len(roasts)]},
                )
                for i in range(start, min(n, start + step))
            )
            if consent:
                Consent.objects.bulk_create(
                    Consent(
                        person_id=p.pk,
                        purpose=ConsentPurpose.EMAIL_MARKETING,
                        method=ConsentMethod.WEB_FORM,
                        source_text="Send me news about coffee.",
                    )
                    for p in made
                )


def phase_setup(people: int) -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    from thrive.accounts.models import Associate
    from thrive.contacts.models import (
        CustomFieldDefinition,
        CustomFieldEntity,
        CustomFieldType,
    )
    from thrive.core.roles import Role
    from thrive.outreach.email_templates.saving import save_template
    from thrive.segments.models import Segment

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    migrated = time.monotonic()
    actor = Associate.objects.create_user("bench", role=Role.OWNER)
    CustomFieldDefinition.objects.create(
        entity=CustomFieldEntity.PERSON,
        key="favourite_roast",
        label="Favourite roast",
        field_type=CustomFieldType.TEXT,
    )
    _people(people, consent=True)
    loaded = time.monotonic()
    template = save_template(
        None,
        actor=actor,
        name="Bench newsletter",
        subject='{{ person.first_name|default:"Friend" }}, new beans are in',
        html_body=(
            "<html><body>"
            '<p>Hi {{ person.first_name|default:"there" }},</p>'
            "<p>Your favourite roast: "
            '{{ person.custom.favourite_roast|default:"any roast" }}.</p>'
            '<p><a href="https://shop.example.org/beans?utm=news&amp;x=1">See the beans</a></p>'
            "<p>{{ business.name }}</p>"
            "</body></html>"
        ),
        text_body=(
            'Hi {{ person.first_name|default:"there" }},\n'
            'Your favourite roast: {{ person.custom.favourite_roast|default:"any roast" }}.\n'
            "See the beans: https://shop.example.org/beans\n"
        ),
    )
    segment = Segment.objects.create(
        name="Everyone (bench)",
        rules={"match": "all", "rules": [
            {"field": "email", "op": "contains", "value": f"@{EMAIL_DOMAIN}"},
        ]},
    )  # fmt: skip
    return {
        "actor": actor.pk,
        "template": template.pk,
        "segment": segment.pk,
        "migrate_s": round(migrated - started, 1),
        "load_s": round(loaded - migrated, 1),
    }


def phase_campaign(actor_id: int, template_id: int, segment_id: int, name: str) -> dict[str, Any]:
    _django()
    from thrive.accounts.models import Associate
    from thrive.outreach.models import EmailTemplate
    from thrive.outreach.sending.dispatch import create_campaign, send_campaign
    from thrive.segments.models import Segment

    actor = Associate.objects.get(pk=actor_id)
    campaign = create_campaign(
        actor=actor,
        name=name,
        segment=Segment.objects.get(pk=segment_id),
        template=EmailTemplate.objects.get(pk=template_id),
    )
    send_campaign(campaign, actor=actor)
    return {"campaign": campaign.pk}


def phase_check(campaign_id: int) -> dict[str, Any]:
    _django()
    from django.db.models import Count, Max, Min

    from thrive.outreach.models import Campaign, Delivery

    rows = Delivery.objects.filter(campaign_id=campaign_id)
    statuses = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
    span = rows.aggregate(first=Min("sent_at"), last=Max("sent_at"), built=Min("created_at"))
    repeated = (
        rows.exclude(message_id="")
        .values("message_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    sample = rows.filter(status="sent").order_by("pk").first()
    body = sample.html_body if sample else ""
    return {
        "statuses": statuses,
        "campaign_status": Campaign.objects.get(pk=campaign_id).status,
        "first_sent": span["first"].timestamp() if span["first"] else None,
        "last_sent": span["last"].timestamp() if span["last"] else None,
        "repeated_message_ids": repeated,
        # Merge fields filled in and the shop link rewritten to the click redirect.
        "sample_personalised": bool(sample and ("Hi Ann" in body or "Hi there" in body))
        and "shop.example.org" not in body,
        "sample_subject": sample.subject if sample else "",
    }


# The engine's activity mix: (kind, data, weight). The four workflows below match the
# starred ones: about 10% of all activities, spread over every person.
def _activity_mix(i: int) -> tuple[str, str]:
    r = i % 20
    if r < 6:
        tag = ["vip", "wholesale", "newsletter", "beans", "gift"][i % 5]  # vip*
        action = "added" if i % 3 else "removed"
        return "tag_change", json.dumps({"tag": tag, "action": action})
    if r < 10:
        stages = ["suspect", "prospect", "client", "advocate", "lost"]
        to = stages[i % 5]  # client*
        return "stage_change", json.dumps({"from": stages[(i + 1) % 5], "to": to})
    if r < 15:
        total = f"{(i * 37) % 200}.00"  # total >= 150*
        return "order", json.dumps({"order": i, "total": total, "currency": "USD"})
    if r < 17:
        form = ["newsletter", "contact", "wholesale"][i % 3]  # wholesale*
        return "form_submission", json.dumps({"form": form})
    return "note", json.dumps({})


def phase_engine_setup(people: int, activities: int) -> dict[str, Any]:
    _django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from thrive.accounts.models import Associate
    from thrive.automations import services
    from thrive.contacts.models import Activity, Person
    from thrive.core.roles import Role
    from thrive.leadforms.models import LeadForm

    call_command("migrate", verbosity=0)
    actor = Associate.objects.create_user("bench", role=Role.OWNER)
    _people(people, consent=False)
    steps = [{"kind": "wait", "days": 1}]
    # The form trigger names a form that exists.
    LeadForm.objects.get_or_create(slug="wholesale", defaults={"name": "Wholesale"})
    flows = [
        ("tag_added", {"tag": "vip"}),
        ("stage_changed", {"to": ["client"]}),
        ("order_placed", {"min_total": 150}),
        ("form_submitted", {"form": "wholesale"}),
    ]
    for trigger, cfg in flows:
        wf = services.save_workflow(
            actor=actor, name=f"Bench {trigger}", trigger=trigger, steps=steps,
            trigger_config=cfg, reentry="always",
        )  # fmt: skip
        services.activate_workflow(wf, actor=actor)
    first, last = (
        Person.objects.order_by("pk").values_list("pk", flat=True)[0],
        Person.objects.order_by("-pk").values_list("pk", flat=True)[0],
    )
    count = last - first + 1
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    table = Activity._meta.db_table
    columns = (
        "person_id, kind, occurred_at, recorded_at, channel, direction, automated, "
        "subject, body, data, ref, retracted"
    )
    started = time.monotonic()

    def rows(lo: int, hi: int) -> Any:
        for i in range(lo, hi):
            kind, data = _activity_mix(i)
            at = base + dt.timedelta(seconds=i)
            yield (first + (i * 7919) % count, kind, at, at, "", "", False, "", "", data, "", False)

    step = 50_000
    for lo in range(0, activities, step):
        hi = min(activities, lo + step)
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                with cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows(lo, hi):
                        copy.write_row(row)
            else:
                cur.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",  # noqa: S608
                    [(*r[:2], r[2].isoformat(" ")[:26], r[3].isoformat(" ")[:26], *r[4:])
                     for r in rows(lo, hi)],
                )  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {table}")
    return {"load_s": round(time.monotonic() - started, 1), "activities": activities}


def phase_engine_reset() -> dict[str, Any]:
    """Back to an unread log and no enrolments, for the next worker count."""
    _django()
    from thrive.automations import engine
    from thrive.automations.models import EngineCursor, Enrollment
    from thrive.contacts.models import Activity

    Enrollment.objects.all().delete()
    engine.cursor_position()
    EngineCursor.objects.filter(name=engine.CURSOR).update(last_activity_id=0)
    return {"expected": Activity.objects.count()}


def phase_engine_run(batch_size: int) -> dict[str, Any]:
    """One engine worker: reads the log until it finds nothing more (several of these
    run at once share the work through the cursor's row lock)."""
    _django()
    from thrive.automations import engine
    from thrive.automations.models import Enrollment

    engine.cursor_position()
    cpu0 = time.process_time()
    started = time.time()
    read = engine.process_activities(batch_size=batch_size)
    ended = time.time()
    return {
        "read": read,
        "started": started,
        "ended": ended,
        "cpu_s": time.process_time() - cpu0,
        "cursor": engine.cursor_position(),
        "enrolled": Enrollment.objects.count(),
        "peak_rss_kib": proc_status(os.getpid()).get("VmHWM", 0),
    }


# --- the orchestrator --------------------------------------------------------------------


@dataclass
class SendRun:
    backend: str
    workers: int
    recipients: int
    sent: int = 0
    sink_seconds: float = 0.0  # first to last message at the sink
    wall_seconds: float = 0.0  # workers started to last message (audience build included)
    db_seconds: float = 0.0  # first to last Delivery.sent_at
    rss_quarter_mib: list[float] = field(default_factory=list)
    rss_end_mib: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)  # each worker's CPU, start to end
    sink_cpu_s: float = 0.0  # the SMTP sink's CPU over the run
    db_cpu_s: float = 0.0  # the PostgreSQL cluster's CPU over the run (all backends)
    load_start: str = ""
    load_end: str = ""
    dupes: int = 0
    exactly_once: bool = False
    statuses: dict[str, int] = field(default_factory=dict)
    load: str = ""
    note: str = ""

    @property
    def rate(self) -> float:
        return self.sent / self.sink_seconds if self.sink_seconds else 0.0

    @property
    def wall_rate(self) -> float:
        return self.sent / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def cpu_ms_per_message(self) -> float:
        """The workers' CPU per message sent (their start-up and the audience build
        included): what the rate would be limited by on an idle machine."""
        return 1000 * sum(self.cpu_s) / self.sent if self.sent else 0.0

    def ms_per_message(self, seconds: float) -> float:
        return 1000 * seconds / self.sent if self.sent else 0.0


@dataclass
class EngineRun:
    backend: str
    activities: int
    seconds: float
    enrolled: int
    peak_mib: float
    load: str
    workers: int = 1
    cpu_s: float = 0.0  # the engine processes' CPU, together
    db_cpu_s: float = 0.0  # the PostgreSQL cluster's CPU over the run

    @property
    def rate(self) -> float:
        return self.activities / self.seconds if self.seconds else 0.0


def base_env(database_url: str, data_dir: Path, smtp_port: int | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "THRIVE_"))}
    env.update(
        DATABASE_URL=database_url,
        THRIVE_DATA_DIR=str(data_dir),
        THRIVE_ENV="development",
        DEBUG="0",
        THRIVE_QUIET_HOURS="off",
        THRIVE_MAX_AUTOMATED_PER_WEEK="1000000",
        THRIVE_PUBLIC_URL="http://127.0.0.1:8000",
        DJANGO_SETTINGS_MODULE="thrive.settings",
        PYTHONUNBUFFERED="1",
    )
    if smtp_port is not None:
        env["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_port}?timeout=10"
    return env


def run_send(
    backend: str,
    workers: int,
    db_url: str,
    root: Path,
    ids: dict[str, Any],
    args: Any,
    pg_pid: int | None = None,
) -> SendRun:
    run = SendRun(backend, workers, args.people)
    sink = Sink(root, args.smtp_port)
    sink.start()
    env = base_env(db_url, root / "data", sink.port)
    campaign = child(
        env, "_campaign", str(ids["actor"]), str(ids["template"]), str(ids["segment"]),
        f"Bench {backend} {workers} worker(s)", timeout=120,
    )["campaign"]  # fmt: skip
    procs = []
    logs = []
    started = time.time()
    assert sink.proc is not None
    sink_cpu0 = cpu_seconds(sink.proc.pid) or 0.0
    pg_cpu0 = tree_cpu_seconds(pg_pid) if pg_pid else 0.0
    for n in range(workers):
        log = (root / f"worker-{backend}-{workers}-{n}.log").open("wb")
        logs.append(log)
        procs.append(
            subprocess.Popen(  # noqa: S603
                [
                    *THRIVE,
                    "worker",
                    "--no-startup-delay",
                    "--interval",
                    "0.2",
                    "--worker-id",
                    f"bench-{workers}-{n}",
                ],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        )
    quarter = args.people // 4
    run.load_start = loadavg()
    loads = []
    deadline = time.monotonic() + args.timeout
    stats: dict[str, Any] = {"count": 0}
    last_status: list[dict[str, int]] = [{} for _ in procs]
    try:
        while time.monotonic() < deadline:
            time.sleep(0.25)
            stats = sink.read()
            last_status = [proc_status(p.pid) or s for p, s in zip(procs, last_status, strict=True)]
            if not run.rss_quarter_mib and stats["count"] >= quarter:
                run.rss_quarter_mib = [s.get("VmRSS", 0) / 1024 for s in last_status]
            if len(loads) < 1000 and int(time.monotonic()) % 5 == 0:
                loads.append(float(loadavg().split()[0]))
            if stats["count"] >= args.people:
                run.rss_end_mib = [s.get("VmRSS", 0) / 1024 for s in last_status]
                break
            if any(p.poll() is not None for p in procs):
                run.note = "a worker exited early"
                break
        else:
            run.note = f"timed out after {args.timeout} s"
        time.sleep(2)  # anything still in flight (there should be nothing)
        last_status = [proc_status(p.pid) or s for p, s in zip(procs, last_status, strict=True)]
        run.peak_mib = [s.get("VmHWM", 0) / 1024 for s in last_status]
        run.cpu_s = [cpu_seconds(p.pid) or 0.0 for p in procs]
        run.sink_cpu_s = (cpu_seconds(sink.proc.pid) or 0.0) - sink_cpu0
        run.db_cpu_s = tree_cpu_seconds(pg_pid) - pg_cpu0 if pg_pid else 0.0
    finally:
        for p in procs:
            stop(p)
        for log in logs:
            log.close()
        stats = sink.stop()
    run.sent = stats["count"]
    run.dupes = stats.get("dupes", 0) + stats.get("no_id", 0)
    if stats.get("first") and stats.get("last"):
        run.sink_seconds = stats["last"] - stats["first"]
        run.wall_seconds = stats["last"] - started
    check = child(env, "_check", str(campaign), timeout=300)
    run.statuses = check["statuses"]
    if check["first_sent"] and check["last_sent"]:
        run.db_seconds = check["last_sent"] - check["first_sent"]
    run.exactly_once = (
        run.sent == args.people
        and run.dupes == 0
        and check["repeated_message_ids"] == 0
        and run.statuses.get("sent", 0) == args.people
    )
    run.load = f"{min(loads):.2f}–{max(loads):.2f}" if loads else loadavg()
    run.load_end = loadavg()
    print(f"  {backend} {workers} worker(s): {run.sent} sent, {run.rate:.0f}/s at the sink, "
          f"{run.wall_rate:.0f}/s from start, peak {run.peak_mib} MiB, "
          f"worker CPU {run.cpu_ms_per_message:.2f} ms/msg, "
          f"PostgreSQL {run.ms_per_message(run.db_cpu_s):.2f}, "
          f"sink {run.ms_per_message(run.sink_cpu_s):.2f} ms/msg, "
          f"exactly once: {run.exactly_once} {run.statuses} {run.note}", flush=True)  # fmt: skip
    return run


def run_engine(
    backend: str, workers: int, env: dict[str, str], args: Any, pg_pid: int | None
) -> EngineRun:
    """``workers`` engine processes at once over the whole log; checked: together they
    read every activity once (the enrolments made are reported, to compare with one
    alone)."""
    expected = child(env, "_engine_reset", timeout=600)["expected"]
    load = loadavg()
    pg_cpu0 = tree_cpu_seconds(pg_pid) if pg_pid else 0.0
    procs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [str(PYTHON), str(Path(__file__)), "_engine_run", str(args.engine_batch)],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(workers)
    ]
    answers = []
    for proc in procs:
        out, _ = proc.communicate(timeout=args.timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"engine worker failed ({proc.returncode})")
        answers.append(json.loads(out.strip().splitlines()[-1]))
    db_cpu = tree_cpu_seconds(pg_pid) - pg_cpu0 if pg_pid else 0.0
    read = sum(a["read"] for a in answers)
    if read != expected or max(a["cursor"] for a in answers) == 0:
        raise RuntimeError(f"engine workers read {read} of {expected}")
    run = EngineRun(
        backend, read,
        max(a["ended"] for a in answers) - min(a["started"] for a in answers),
        max(a["enrolled"] for a in answers),
        max(a["peak_rss_kib"] for a in answers) / 1024,
        f"{load} → {loadavg()}", workers,
        sum(a["cpu_s"] for a in answers), db_cpu,
    )  # fmt: skip
    print(f"  {backend}: engine, {workers} worker(s): {run.rate:,.0f} activities/s, "
          f"reads {[a['read'] for a in answers]}, enrolled {run.enrolled}, "
          f"CPU engine {run.cpu_s:.1f} s, PostgreSQL {run.db_cpu_s:.1f} s", flush=True)  # fmt: skip
    return run


def bench_backend(backend: str, root: Path, args: Any) -> tuple[list[SendRun], list[EngineRun]]:
    pg = None
    sends: list[SendRun] = []
    engines: list[EngineRun] = []
    try:
        if backend == "postgresql":
            pg = Postgres(root / "pg", free_port(args.pg_port))
            pg.start()
            send_url, engine_url = pg.createdb("thrive_send"), pg.createdb("thrive_engine")
        else:
            send_url = f"sqlite:///{root / 'data' / 'send.sqlite3'}"
            engine_url = f"sqlite:///{root / 'data' / 'engine.sqlite3'}"
        if args.people:
            env = base_env(send_url, root / "data")
            ids = child(env, "_setup", str(args.people), timeout=1800)
            print(f"  {backend}: setup {ids}", flush=True)
            for _ in range(args.repeat):  # interleaved: 1, 2, 4, 1, 2, 4...
                for workers in args.workers:
                    sends.append(
                        run_send(
                            backend,
                            workers,
                            send_url,
                            root,
                            ids,
                            args,
                            pg.pid() if pg else None,
                        )  # fmt: skip
                    )
        if args.activities:
            env = base_env(engine_url, root / "data")
            loaded = child(
                env, "_engine_setup", str(args.engine_people), str(args.activities), timeout=3600
            )
            print(f"  {backend}: engine setup {loaded}", flush=True)
            for _ in range(args.repeat):
                for workers in args.engine_workers:
                    engines.append(
                        run_engine(backend, workers, env, args, pg.pid() if pg else None)
                    )
    finally:
        if pg is not None:
            pg.stop()
    return sends, engines


def machine_facts() -> list[str]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor() or "unknown",
    )  # fmt: skip
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical CPUs (nproc), shared with other work",
        f"- Memory: {mem_kib / 1024 / 1024:.1f} GiB",
        f"- Python {platform.python_version()}, {platform.system()} {platform.release()}",
    ]


def render(sends: list[SendRun], engines: list[EngineRun], args: Any, pg: Postgres | None) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Outreach and automation speed",
        "",
        f"Run {now}. Reproduce with: `{args.command}`",
        "",
        *machine_facts(),
        "",
    ]
    for backend in args.backends:
        rows = [r for r in sends if r.backend == backend]
        if not rows:
            continue
        out += [
            f"## Sending — {backend}",
            "",
            "| workers | messages | s (sink, first→last) | msgs/s | msgs/s per worker "
            "| s from start | msgs/s from start | RSS at 25% (MiB) | RSS at 100% (MiB) "
            "| peak RSS (MiB) | worker CPU ms/msg | PostgreSQL CPU ms/msg | sink CPU ms/msg "
            "| exactly once | load avg (1 min) | load start → end |",
            "|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|---:|---:|---|---|---|",
        ]
        for r in rows:
            fmt = ", ".join  # one figure per worker
            out.append(
                f"| {r.workers} | {r.sent:,} | {r.sink_seconds:.1f} | {r.rate:.0f} "
                f"| {r.rate / r.workers:.0f} | {r.wall_seconds:.1f} | {r.wall_rate:.0f} "
                f"| {fmt(f'{m:.0f}' for m in r.rss_quarter_mib)} "
                f"| {fmt(f'{m:.0f}' for m in r.rss_end_mib)} "
                f"| {fmt(f'{m:.0f}' for m in r.peak_mib)} | {r.cpu_ms_per_message:.2f} "
                f"| {r.ms_per_message(r.db_cpu_s):.2f} | {r.ms_per_message(r.sink_cpu_s):.2f} "
                f"| {'yes' if r.exactly_once else 'NO ' + json.dumps(r.statuses)} | {r.load} "
                f"| {r.load_start.split()[0]} → {r.load_end.split()[0]} |"
                + (f" {r.note}" if r.note else "")
            )
        out.append("")
    if engines:
        out += [
            "## Workflow evaluation (`process_activities`)",
            "",
            "| database | workers | activities | seconds | activities/s | enrolments made "
            "| peak RSS (MiB) | engine CPU s | PostgreSQL CPU s | load avg before → after |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for e in engines:
            out.append(
                f"| {e.backend} | {e.workers} | {e.activities:,} | {e.seconds:.1f} "
                f"| {e.rate:,.0f} | {e.enrolled:,} | {e.peak_mib:.0f} | {e.cpu_s:.1f} "
                f"| {e.db_cpu_s:.1f} | {e.load} |"
            )
        out.append("")
    out += ["## Targets", ""]
    for r in sends:
        per = r.rate / r.workers
        out.append(
            f"- {r.backend}, {r.workers} worker(s): {per:.0f} msgs/s per worker "
            f"({'meets' if per >= MSG_TARGET else 'misses'} ≥ {MSG_TARGET:.0f})"
        )
    for e in engines:
        out.append(
            f"- {e.backend} engine, {e.workers} worker(s): {e.rate:,.0f} activities/s "
            f"({'meets' if e.rate >= ACT_TARGET else 'misses'} ≥ {ACT_TARGET:,.0f})"
        )
    if pg is not None:
        out += ["", f"PostgreSQL {pg.bin} settings: {', '.join(pg.settings[:3])}; "
                "durability at its defaults (fsync, synchronous_commit on)."]  # fmt: skip
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("_"):
        return internal(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--people", type=int, default=100_000, help="campaign recipients")
    parser.add_argument("--workers", default="1,2", help="worker counts to run, in order")
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--engine-people", type=int, default=100_000)
    parser.add_argument("--engine-batch", type=int, default=1000)
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per run, at most")
    parser.add_argument("--smtp-port", type=int, default=25250)
    parser.add_argument("--pg-port", type=int, default=54350)
    parser.add_argument("--repeat", type=int, default=1, help="interleaved repetitions")
    parser.add_argument("--engine-workers", default="1", help="engine process counts")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 recipients, "
                        "20,000 activities, 1 and 2 workers")  # fmt: skip
    parser.add_argument("--out", default=str(BENCH / "results" / "outreach.md"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if args.quick:
        args.people, args.activities, args.engine_people = 2000, 20000, 2000
    args.workers = [int(w) for w in args.workers.split(",") if w.strip()]
    args.engine_workers = [int(w) for w in args.engine_workers.split(",") if w.strip()]
    args.command = "bench/outreach " + " ".join(argv) if argv else "bench/outreach"
    root = Path(tempfile.mkdtemp(prefix="thrive-outreach-bench-"))
    os.chmod(root, 0o755)  # noqa: S103 - the postgres user must reach its data directory
    print(f"Working in {root}", flush=True)
    sends: list[SendRun] = []
    engines: list[EngineRun] = []
    try:
        for backend in args.backends:
            s, e = bench_backend(backend, root / backend, args)
            sends += s
            engines += e
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    pg = Postgres(root, args.pg_port) if "postgresql" in args.backends else None
    text = render(sends, engines, args, pg)
    Path(args.out).write_text(text)
    print(text)
    ok = all(r.exactly_once for r in sends)
    return 0 if ok else 1


def internal(argv: list[str]) -> int:
    name, rest = argv[0], argv[1:]
    if name == "_sink":
        sink_main(int(rest[0]), Path(rest[1]))
        return 0
    phases = {
        "_setup": lambda: phase_setup(int(rest[0])),
        "_campaign": lambda: phase_campaign(int(rest[0]), int(rest[1]), int(rest[2]), rest[3]),
        "_check": lambda: phase_check(int(rest[0])),
        "_engine_setup": lambda: phase_engine_setup(int(rest[0]), int(rest[1])),
        "_engine_run": lambda: phase_engine_run(int(rest[0])),
        "_engine_reset": phase_engine_reset,
    }
    print(json.dumps(phases[name](), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
