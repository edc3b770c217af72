"""A real `thrive worker` killed with SIGKILL mid-campaign, then restarted: every
recipient gets exactly one message at a real SMTP server on loopback."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from thrive.core.roles import Role
from thrive.outreach.models import Delivery
from thrive.outreach.sending.dispatch import create_campaign, send_campaign
from thrive.segments.models import Segment
from thrive.testing.factories import AssociateFactory

from .conftest import consenting_person, make_template

REPO = Path(__file__).resolve().parents[3]
RECIPIENTS = 30
LEASE_SECONDS = 2


def _database_url(tmp_path: Path) -> tuple[str, Path | None]:
    """A URL the worker subprocess can open that holds this test's data.

    PostgreSQL: the test database itself (the test is transactional, so data is
    committed). SQLite: the test database is in memory, so it is copied to a file.
    """
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
        return (
            f"postgres://{auth}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}",
            None,
        )
    path = tmp_path / "crash.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}", path


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
        [sys.executable, "-m", "thrive.cli", "worker", "--no-startup-delay", "--interval", "0.1"],
        cwd=REPO,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _claimed(sqlite_path: Path | None) -> int:
    """Rows a worker claimed and has not finished (what a dead worker leaves behind)."""
    if sqlite_path is None:
        return Delivery.objects.exclude(claim_token="").count()
    with sqlite3.connect(sqlite_path) as db:
        return db.execute(
            "SELECT count(*) FROM outreach_delivery WHERE claim_token != ''"
        ).fetchone()[0]


def _statuses(sqlite_path: Path | None) -> Counter[str]:
    if sqlite_path is None:
        return Counter(Delivery.objects.values_list("status", flat=True))
    with sqlite3.connect(sqlite_path) as db:
        return Counter(row[0] for row in db.execute("SELECT status FROM outreach_delivery"))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_campaign_sends_everyone_exactly_once(smtp_sink, tmp_path):
    smtp_sink.handler.delay = 0.15  # slow enough to kill the worker in the middle
    people = [consenting_person() for _ in range(RECIPIENTS)]
    owner = AssociateFactory(username="crash-owner", role=Role.OWNER)
    segment = Segment.objects.create(name="Everyone", rules={"match": "all", "rules": []})
    campaign = create_campaign(actor=owner, name="Crash", segment=segment, template=make_template())
    send_campaign(campaign, actor=owner)  # queues the background job on commit

    url, sqlite_path = _database_url(tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "EMAIL_URL": smtp_sink.url,
        "THRIVE_OUTREACH_LEASE_SECONDS": str(LEASE_SECONDS),
        "THRIVE_OUTREACH_BATCH": "10",
        "THRIVE_QUIET_HOURS": "off",
        "THRIVE_MAX_AUTOMATED_PER_WEEK": "10",
        "THRIVE_PUBLIC_URL": "http://testserver",
        "DEBUG": "false",
    }
    log = tmp_path / "worker.log"
    first = _start_worker(env, log)
    second = None
    try:
        # Kill it mid-send: a message is on the wire, its 250 not yet given. (SMTP has no
        # idempotency: a kill in the instant after a 250 and before the worker records it
        # would resend that one message with the same Message-ID; sender.py says so.)
        smtp_sink.wait_for_data_in_flight(8, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        before = len(smtp_sink.messages)
        assert 8 <= before < RECIPIENTS, log.read_text()
        assert _claimed(sqlite_path) > 0  # the dead worker left claimed rows behind

        second = _start_worker(env, log)
        smtp_sink.wait_for(RECIPIENTS, timeout=90)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _statuses(sqlite_path) != {"sent": RECIPIENTS}:
            time.sleep(0.2)
        # Anything sent twice would arrive within a lease or two; give it the time.
        time.sleep(LEASE_SECONDS * 2 + 1)
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=10)

    received = Counter(r for m in smtp_sink.messages for r in m.recipients)
    assert received == Counter({p.email: 1 for p in people}), log.read_text()[-3000:]
    assert _statuses(sqlite_path) == {"sent": RECIPIENTS}
    message_ids = {m.message_id for m in smtp_sink.messages}
    assert len(message_ids) == RECIPIENTS
