"""Dashboard and ecosystem pages read snapshots; the refresh runs in the background."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from thrive.analytics import refresh
from thrive.analytics.models import AnalyticsRefresh, DashboardSnapshot, RefreshStatus
from thrive.conftest import client_for
from thrive.contacts import services
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_visit_queues_one_refresh_and_shows_a_progress_bar(read_only):
    client = client_for(read_only)
    body = client.get("/").content.decode()
    assert "<progress" in body and "Computing your first dashboard" in body
    client.get("/")
    assert AnalyticsRefresh.objects.count() == 1


def test_the_worker_computes_the_snapshot_and_the_page_shows_it(read_only, member):
    person = PersonFactory()
    services.change_stage(person, "client", actor=member)
    client = client_for(read_only)
    client.get("/")
    call_command("worker", batch=True, no_startup_delay=True, verbosity=0)
    run = AnalyticsRefresh.objects.get()
    assert run.state == RefreshStatus.FINISHED and run.percent == 100
    snapshot = DashboardSnapshot.objects.get()
    keys = [k["key"] for k in snapshot.payload["kpis"]]
    assert {"revenue", "new_clients", "cac", "clv", "nps", "funnel"} <= set(keys)
    body = client.get("/").content.decode()
    assert "How is this computed?" in body and "<progress" not in body
    new_clients = next(k for k in snapshot.payload["kpis"] if k["key"] == "new_clients")
    assert new_clients["value"] == 1


def test_status_endpoint_reports_progress(read_only):
    refresh.request_refresh()
    data = client_for(read_only).get("/dashboard/status").json()
    assert (data["state"], data["active"], data["percent"]) == ("queued", True, 0)
    assert data["kind"] == "refresh" and data["snapshot"] is None


def test_read_only_cannot_force_a_refresh(read_only):
    assert client_for(read_only).post("/dashboard/refresh").status_code == 403


def test_a_run_is_claimed_once(member):
    run = AnalyticsRefresh.objects.create()
    refresh.run_refresh(run.pk, as_of=dt.date(2026, 1, 1))
    refresh.run_refresh(run.pk, as_of=dt.date(2026, 1, 1))
    assert DashboardSnapshot.objects.count() == 1


def test_ecosystem_map_links_every_number_to_its_list(read_only, member):
    PersonFactory(stage="prospect")
    body = client_for(read_only).get("/ecosystem/").content.decode()
    for stage in ("suspect", "prospect", "client", "advocate", "lost"):
        assert f"/people/?stage={stage}" in body
    for role in ("associate", "vendor", "partner", "referral_partner"):
        assert f"/people/?role={role}" in body
