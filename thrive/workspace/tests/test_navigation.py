"""The top bar: sections with the current one marked, and the badge of due tasks, which
costs one query."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from thrive.conftest import client_for
from thrive.tasks import services
from thrive.tasks.models import Task
from thrive.testing.factories import AssociateFactory

pytestmark = pytest.mark.django_db


def badge(html: str) -> str | None:
    found = re.search(r'<span class="count"[^>]*>(\d+)<span class="sr-only"> due', html)
    return found.group(1) if found else None


def test_the_badge_counts_my_open_tasks_due_today_overdue_or_undated(member):
    now = timezone.now()
    other = AssociateFactory(username="other")
    services.create_task(actor=member, title="Overdue", assignee=member,
                         due_at=now - dt.timedelta(days=2))  # fmt: skip
    services.create_task(actor=member, title="No date", assignee=member)
    services.create_task(actor=member, title="Next week", assignee=member,
                         due_at=now + dt.timedelta(days=7))  # fmt: skip
    services.create_task(actor=member, title="Someone else's", assignee=other,
                         due_at=now - dt.timedelta(days=1))  # fmt: skip
    done = services.create_task(actor=member, title="Done", assignee=member,
                                due_at=now - dt.timedelta(days=1))  # fmt: skip
    services.finish_task(done, actor=member)
    client = client_for(member)
    assert badge(client.get("/segments/").content.decode()) == "2"
    # The badge is the count of the inbox's "Due" tab it links to.
    inbox = client.get("/tasks/")
    assert inbox.context["counts"]["due"] == 2


def test_no_badge_when_nothing_is_due(member):
    services.create_task(actor=member, title="Later", assignee=member,
                         due_at=timezone.now() + dt.timedelta(days=3))  # fmt: skip
    html = client_for(member).get("/segments/").content.decode()
    assert badge(html) is None
    assert ">Tasks</a>" in html


def test_the_badge_costs_one_query(member):
    client = client_for(member)
    client.get("/segments/")  # warm the session and the business row
    services.create_task(actor=member, title="Call", assignee=member)
    with CaptureQueriesContext(connection) as with_badge:
        client.get("/segments/")
    table = Task._meta.db_table
    tasks_queries = [q["sql"] for q in with_badge.captured_queries if table in q["sql"]]
    assert len(tasks_queries) == 1, tasks_queries
    assert tasks_queries[0].upper().startswith("SELECT COUNT(")


def test_the_current_section_and_page_are_marked(member):
    html = client_for(member).get("/segments/").content.decode()
    assert re.search(r'<summary aria-current="true">Customers</summary>', html)
    assert re.search(r'<a href="/segments/" aria-current="page">Segments</a>', html)
    assert html.count('aria-current="page"') == 1
    html = client_for(member).get("/growth/experiments/").content.decode()
    assert re.search(r'<summary aria-current="true">Grow</summary>', html)
    assert re.search(r'aria-current="page">Experiments</a>', html)


def test_settings_and_imports_are_in_the_navigation_settings_for_owners_only(owner, read_only):
    html = client_for(owner).get("/").content.decode()
    assert 'href="/imports/"' in html
    assert 'href="/settings/"' in html
    html = client_for(read_only).get("/").content.decode()
    assert 'href="/imports/"' in html
    assert 'href="/settings/"' not in html
