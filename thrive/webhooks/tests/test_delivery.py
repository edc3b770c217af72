"""Webhooks against a real HTTP server on loopback: signed events, retries with
backoff after failures, failure after the last try, replay, and refused addresses."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from thrive.contacts.models import Stage
from thrive.contacts.services import change_stage, create_person
from thrive.core.roles import Role
from thrive.webhooks import services
from thrive.webhooks.models import DeliveryStatus, WebhookDelivery
from thrive.webhooks.signing import sign, verify

pytestmark = pytest.mark.django_db


class Receiver:
    """A loopback HTTP server answering the queued status codes (then 200), keeping
    every request's headers and raw body."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server hook's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"try later")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def allow_loopback(monkeypatch, settings):
    monkeypatch.setenv("THRIVE_WEBHOOKS_ALLOW_PRIVATE", "1")
    settings.THRIVE_WEBHOOKS_RETRY_SECONDS = 10
    settings.THRIVE_WEBHOOKS_MAX_ATTEMPTS = 3


def test_signature_verifies_and_a_changed_body_or_old_time_does_not():
    header = sign("s3cret", b'{"a":1}', timestamp=1_700_000_000)
    assert verify("s3cret", b'{"a":1}', header, now=1_700_000_010)
    assert not verify("s3cret", b'{"a":2}', header, now=1_700_000_010)
    assert not verify("other", b'{"a":1}', header, now=1_700_000_010)
    assert not verify("s3cret", b'{"a":1}', header, now=1_700_000_000 + 3600)
    assert not verify("s3cret", b'{"a":1}', "v1=abc", now=1_700_000_000)


def test_a_stage_change_is_sent_signed_after_a_failed_first_try(owner, allow_loopback):
    with Receiver([500]) as receiver:
        made = services.create_subscription(
            actor=owner, url=receiver.url, event_types=["person.stage_changed"]
        )
        person = create_person(actor=owner, first_name="Mo", email="mo@example.org")
        change_stage(person, Stage.CLIENT, actor=owner)
        now = timezone.now()
        first = services.run_webhooks(now=now)
        assert first["retrying"] == 1
        delivery = WebhookDelivery.objects.get()
        # Only the stage change: the creation is another event type.
        assert delivery.event_type == "person.stage_changed"
        assert (delivery.attempts, delivery.last_status_code) == (1, 500)
        assert delivery.next_try_at == now + dt.timedelta(seconds=10)
        # Not due yet: nothing is sent.
        assert services.run_webhooks(now=now + dt.timedelta(seconds=9)) == {"read": 0}
        second = services.run_webhooks(now=now + dt.timedelta(seconds=10))
        assert second["delivered"] == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED, 2, 200,
    )  # fmt: skip
    assert len(receiver.received) == 2
    headers, body = receiver.received[1]
    assert verify(made.secret, body, headers["Thrive-Signature"])
    event = json.loads(body)
    assert event["type"] == "person.stage_changed"
    assert event["person"]["email"] == "mo@example.org"
    assert event["activity"]["data"]["to"] == "client"
    assert headers["Thrive-Event-Id"] == event["id"] == delivery.event_id
    # Both tries carried the same event.
    assert json.loads(receiver.received[0][1]) == event


def test_backoff_doubles_and_the_last_failure_is_final(owner, allow_loopback):
    with Receiver([503, 503, 503]) as receiver:
        services.create_subscription(actor=owner, url=receiver.url, event_types=["person.created"])
        create_person(actor=owner, first_name="Flo")
        now = timezone.now()
        services.run_webhooks(now=now)
        services.run_webhooks(now=now + dt.timedelta(seconds=10))
        delivery = WebhookDelivery.objects.get()
        assert delivery.next_try_at == now + dt.timedelta(seconds=10 + 20)
        services.run_webhooks(now=now + dt.timedelta(seconds=30))
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
        assert services.run_webhooks(now=now + dt.timedelta(days=1)) == {"read": 0}
        assert len(receiver.received) == 3
        copy = services.replay(delivery, actor=owner)
        services.run_webhooks(now=now + dt.timedelta(days=1))
    copy.refresh_from_db()
    assert copy.status == DeliveryStatus.DELIVERED
    assert copy.event_id == delivery.event_id and copy.replay_of == delivery
    assert json.loads(receiver.received[-1][1]) == delivery.payload


def test_events_before_the_subscription_and_reading_twice_send_nothing_twice(owner, allow_loopback):
    create_person(actor=owner, first_name="Early")
    with Receiver([]) as receiver:
        services.create_subscription(actor=owner, url=receiver.url, event_types=["person.created"])
        create_person(actor=owner, first_name="Late")
        services.read_log()
        # A crash after reading: the cursor is put back, the batch is read again.
        from thrive.webhooks.models import WebhookCursor

        WebhookCursor.objects.update(last_activity_id=0)
        services.read_log()
        services.send_due()
    assert WebhookDelivery.objects.count() == 1
    assert [json.loads(b)["person"]["first_name"] for _, b in receiver.received] == ["Late"]


def test_private_and_non_http_addresses_are_refused_by_default(owner, monkeypatch):
    monkeypatch.delenv("THRIVE_WEBHOOKS_ALLOW_PRIVATE", raising=False)
    refused = [
        "http://127.0.0.1:8000/x", "http://10.0.0.5/x", "http://[::1]/x",
        "http://169.254.169.254/latest", "ftp://example.org/x", "http://localhost/x",
    ]  # fmt: skip
    for url in refused:
        with pytest.raises(ValidationError) as exc:
            services.create_subscription(actor=owner, url=url, event_types=["order.placed"])
        assert "url" in exc.value.message_dict


def test_a_read_only_associate_cannot_subscribe_or_replay(read_only):
    with pytest.raises(Exception, match="change"):
        services.create_subscription(
            actor=read_only, url="https://example.org/h", event_types=["order.placed"]
        )


def test_the_webhooks_page_shows_the_log_and_replays_for_editors(owner, read_only, allow_loopback):
    from thrive.conftest import client_for

    with Receiver([500]) as receiver:
        services.create_subscription(actor=owner, url=receiver.url, event_types=["person.created"])
        create_person(actor=owner, first_name="Pia")
        services.run_webhooks()
    delivery = WebhookDelivery.objects.get()
    page = client_for(owner).get("/webhooks/")
    assert page.status_code == 200
    assert delivery.event_id in page.content.decode()
    assert (
        client_for(read_only).post(f"/webhooks/deliveries/{delivery.pk}/replay").status_code == 403
    )
    response = client_for(owner).post(f"/webhooks/deliveries/{delivery.pk}/replay")
    assert response.status_code == 302
    assert WebhookDelivery.objects.filter(replay_of=delivery).count() == 1
    assert owner.role == Role.OWNER


def test_only_one_tick_is_pending_and_a_tick_sends(
    owner, allow_loopback, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from thrive.webhooks.tasks import schedule_tick, webhook_tick

    with django_capture_on_commit_callbacks(execute=True):
        assert schedule_tick() is True
        assert schedule_tick() is False
    assert DBTaskResult.objects.filter(task_path__endswith="webhook_tick").count() == 1
    with Receiver([]) as receiver:
        services.create_subscription(actor=owner, url=receiver.url, event_types=["person.created"])
        create_person(actor=owner, first_name="Tick")
        result = webhook_tick.call()
    assert result["delivered"] == 1
    assert len(receiver.received) == 1
