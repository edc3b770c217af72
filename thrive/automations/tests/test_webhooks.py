"""Webhook steps: signed with the workflow's secret, retried with backoff, then stopped
with a visible failure."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from thrive.automations import engine
from thrive.automations.models import ActionLog, EnrollmentStatus, LogOutcome
from thrive.automations.tests.conftest import where
from thrive.contacts import services as contacts
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(monkeypatch):
    """A local HTTP server on loopback that records requests and answers ``status``
    (private addresses allowed, as for a receiver on your own network)."""
    monkeypatch.setenv("THRIVE_WEBHOOKS_ALLOW_PRIVATE", "1")
    calls: list[dict] = []
    state = {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            calls.append({"headers": dict(self.headers), "body": body})
            self.send_response(state["status"])
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", calls, state
    server.shutdown()
    server.server_close()


def start(build, url, **step):
    steps = [{"kind": "webhook", "url": url, **step}, {"kind": "add_tag", "tag": "Called"}]
    workflow = build("tag_added", steps, trigger_config={"tag": "go"})
    person = PersonFactory()
    contacts.add_tag(person, "go", actor=None)
    engine.process_activities()
    return workflow, person


def test_the_call_is_signed_with_the_workflows_secret(build, receiver):
    url, calls, _ = receiver
    workflow, person = start(build, url)
    engine.advance_enrollments()
    assert len(calls) == 1
    headers, body = calls[0]["headers"], calls[0]["body"]
    expected = hmac.new(
        workflow.secret.encode(), headers["X-Thrive-Timestamp"].encode() + b"." + body,
        hashlib.sha256,
    ).hexdigest()  # fmt: skip
    assert hmac.compare_digest(headers["X-Thrive-Signature"], f"sha256={expected}")
    payload = json.loads(body)
    assert payload["person"]["id"] == person.pk and payload["workflow"]["id"] == workflow.pk
    assert headers["X-Thrive-Idempotency-Key"] == (
        f"workflow:{workflow.pk}:enrollment:{where(workflow, person).pk}:step:1"
    )
    assert person.tags.filter(name="Called").exists()


def test_failures_are_retried_with_backoff_then_shown(build, receiver, owner):
    url, calls, state = receiver
    state["status"] = 500
    workflow, person = start(build, url, attempts=3)
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    engine.advance_enrollments(now=now)
    assert len(calls) == 1 and where(workflow, person).status == EnrollmentStatus.WAITING
    engine.advance_enrollments(now=now + dt.timedelta(seconds=29))  # backoff: 30 s
    assert len(calls) == 1
    engine.advance_enrollments(now=now + dt.timedelta(seconds=30))
    assert len(calls) == 2
    engine.advance_enrollments(now=now + dt.timedelta(minutes=3))  # then 2 minutes
    assert len(calls) == 3
    enrollment = where(workflow, person)
    assert enrollment.status == EnrollmentStatus.FAILED and "500" in enrollment.last_error
    failed = ActionLog.objects.get(workflow=workflow, outcome=LogOutcome.FAILED)
    assert failed.position == 1 and "failed 3 times" in failed.summary
    assert ActionLog.objects.filter(workflow=workflow, outcome=LogOutcome.RETRYING).count() == 2
    engine.advance_enrollments(now=now + dt.timedelta(days=1))
    assert len(calls) == 3 and not person.tags.filter(name="Called").exists()
    from thrive.conftest import client_for

    page = client_for(owner).get(f"/automations/{workflow.pk}/").content.decode()
    assert "1 failed" in page


def test_a_private_address_fails_the_step_at_once_without_calling(build, receiver, monkeypatch):
    url, calls, _ = receiver
    monkeypatch.delenv("THRIVE_WEBHOOKS_ALLOW_PRIVATE")
    workflow, person = start(build, url, attempts=3)
    engine.advance_enrollments(now=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    enrollment = where(workflow, person)
    assert calls == [] and enrollment.status == EnrollmentStatus.FAILED
    assert "private or local address" in enrollment.last_error
    assert not ActionLog.objects.filter(workflow=workflow, outcome=LogOutcome.RETRYING).exists()
