"""On PostgreSQL a worker sends one batch while it checks and renders the next: still one
message per recipient, each marked sent by itself, leases kept alive across the wait."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from thrive.contacts.models import Activity
from thrive.outreach.models import Delivery, DeliveryStatus
from thrive.outreach.sending.sender import _Lease, _Overlap, mark_sent, run_pump
from thrive.outreach.services import send_email

from .conftest import consenting_person, make_template

REASON = {"why": "Overlap test"}


def _queue(count: int) -> list:
    people = [consenting_person() for _ in range(count)]
    template = make_template()
    for p in people:
        send_email(p, template=template, idempotency_key=f"ovl-{p.pk}", reason=REASON)
    return people


@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_a_batch_while_preparing_the_next_and_everyone_gets_one_message(
    smtp_sink, monkeypatch
):
    monkeypatch.setenv("THRIVE_OUTREACH_BATCH", "4")
    people = _queue(11)  # three batches: 4, 4, 3
    # A worker's connection is in autocommit: on PostgreSQL the batches overlap.
    assert _Overlap.possible() == (connection.vendor == "postgresql")
    report = run_pump()
    assert report.sent == 11
    received = Counter(r for m in smtp_sink.messages for r in m.recipients)
    assert received == Counter({p.email: 1 for p in people})
    assert len({m.message_id for m in smtp_sink.messages}) == 11
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert not Delivery.objects.exclude(claim_token="").exists()
    # The timeline of every batch was written once, by whichever thread sent it.
    assert Activity.objects.filter(ref__startswith="delivery:").count() == 11
    assert not Delivery.objects.filter(activity_recorded=False).exists()


@pytest.mark.django_db(transaction=True)
def test_a_sent_mark_is_refused_for_a_row_another_worker_took_over(smtp_sink):
    _queue(1)
    delivery = Delivery.objects.get()
    Delivery.objects.update(status=DeliveryStatus.SENDING, claim_token="theirs")
    delivery.refresh_from_db()
    # Outside a transaction, as in a worker (on PostgreSQL: the prepared statement).
    assert not mark_sent(delivery, "mine")
    assert Delivery.objects.get().status == DeliveryStatus.SENDING
    assert mark_sent(delivery, "theirs")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.claim_token) == (DeliveryStatus.SENT, "")
    assert delivery.sent_at is not None


@pytest.mark.django_db
def test_a_batch_that_waited_for_the_one_before_renews_its_leases_before_its_first_message(
    smtp_sink,
):
    _queue(2)
    soon = timezone.now() + dt.timedelta(seconds=5)
    Delivery.objects.update(status=DeliveryStatus.SENDING, claim_token="tok", claimed_until=soon)
    batch = list(Delivery.objects.order_by("pk"))
    # Leased 100 s ago (of a 120 s lease): more than a quarter has gone while it waited.
    lease = _Lease(batch, "tok", leased_at=time.monotonic() - 100)
    lease.check(batch)
    for delivery in Delivery.objects.all():
        assert delivery.claimed_until > timezone.now() + dt.timedelta(seconds=100)
    assert not lease.lost
    # Leased just now: nothing to renew yet.
    Delivery.objects.update(claimed_until=soon)
    _Lease(batch, "tok").check(batch)
    assert set(Delivery.objects.values_list("claimed_until", flat=True)) == {soon}


@pytest.mark.django_db
def test_a_batch_that_waited_keeps_only_the_rows_still_its_own_with_fresh_leases(smtp_sink):
    _queue(3)
    expired = timezone.now() - dt.timedelta(seconds=1)
    Delivery.objects.update(status=DeliveryStatus.SENDING, claim_token="tok", claimed_until=expired)
    batch = list(Delivery.objects.order_by("pk"))
    # While it waited its lease ran out and another worker took the last row.
    Delivery.objects.filter(pk=batch[-1].pk).update(claim_token="other")
    kept = _Overlap._renew(batch, "tok")
    assert [d.pk for d in kept] == [d.pk for d in batch[:2]]
    for delivery in Delivery.objects.filter(claim_token="tok"):
        assert delivery.claimed_until > timezone.now() + dt.timedelta(seconds=100)
    assert Delivery.objects.get(pk=batch[-1].pk).claimed_until == expired
