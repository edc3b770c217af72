"""Goals follow the dashboard's figures live and project to their deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from thrive.analytics.models import DashboardSnapshot
from thrive.conftest import client_for
from thrive.growth import queries, services
from thrive.growth.models import CheckInSource, Goal, GoalCheckIn

pytestmark = pytest.mark.django_db


def snapshot(as_of: dt.date, repeat_rate: float) -> DashboardSnapshot:
    return DashboardSnapshot.objects.create(
        computed_at=timezone.now(),
        as_of=as_of,
        payload={
            "kpis": [
                {
                    "key": "repeat_rate",
                    "label": "Repeat-purchase rate",
                    "unit": "%",
                    "value": repeat_rate,
                    "formula": "",
                    "data": "",
                }
            ]
        },
    )


def maya_goal(owner, start: dt.date) -> Goal:
    return services.create_goal(
        actor=owner,
        name="Repeat-purchase rate from 28% to 35% by June",
        metric="repeat_rate",
        unit="%",
        baseline=0.28,
        target=0.35,
        start=start,
        deadline=start + dt.timedelta(180),
        owner=owner,
    )


def test_live_goal_records_one_check_in_per_snapshot_day_and_projects(owner):
    start = timezone.localdate() - dt.timedelta(days=60)
    goal = maya_goal(owner, start)
    snapshot(start - dt.timedelta(days=5), 0.27)  # before the goal: ignored
    snapshot(start + dt.timedelta(days=31), 0.29)  # figures through day 30
    snapshot(start + dt.timedelta(days=61), 0.31)  # figures through day 60
    assert services.sync_live_check_ins() == 2
    assert services.sync_live_check_ins() == 0
    s = queries.standing(goal)
    assert [(c.on - start).days for c in s.check_ins] == [30, 60]
    # The hand-computed case of thrive/insights/tests/test_goals.py.
    assert s.projection.projected == pytest.approx(0.3683333333)
    assert s.projection.status == "on_track"


def test_a_manual_check_in_wins_over_the_live_one_that_day(owner):
    start = timezone.localdate() - dt.timedelta(days=40)
    goal = maya_goal(owner, start)
    snapshot(start + dt.timedelta(days=31), 0.29)
    services.sync_live_check_ins()
    services.record_check_in(
        goal,
        on=start + dt.timedelta(days=30),
        value=0.3,
        actor=owner,
        note="Corrected from the till",
    )
    s = queries.standing(goal)
    assert [c.value for c in s.check_ins] == [0.3]
    assert GoalCheckIn.objects.filter(source=CheckInSource.LIVE).count() == 1


def test_goal_rules_are_enforced(owner):
    start = dt.date(2026, 1, 1)
    with pytest.raises(ValidationError, match="deadline"):
        services.create_goal(
            actor=owner,
            name="X",
            metric="custom",
            custom_label="Cafés",
            baseline=1,
            target=2,
            start=start,
            deadline=start,
            owner=owner,
        )
    with pytest.raises(ValidationError, match="target"):
        services.create_goal(
            actor=owner,
            name="X",
            metric="custom",
            custom_label="Cafés",
            baseline=2,
            target=2,
            start=start,
            deadline=start + dt.timedelta(1),
            owner=owner,
        )
    goal = maya_goal(owner, start)
    with pytest.raises(ValidationError, match="before the goal starts"):
        services.record_check_in(goal, on=start - dt.timedelta(1), value=0.3, actor=owner)


def test_the_form_takes_percentages_as_people_write_them(member):
    client = client_for(member)
    today = timezone.localdate()
    response = client.post(
        "/growth/goals/new",
        {
            "name": "Repeat rate to 35%",
            "metric": "repeat_rate",
            "baseline": "28",
            "target": "35",
            "start": today.isoformat(),
            "deadline": (today + dt.timedelta(200)).isoformat(),
            "owner": member.pk,
            "unit": "",
        },
    )
    goal = Goal.objects.get()
    assert response.status_code == 302
    assert (goal.baseline, goal.target, goal.unit) == (
        pytest.approx(0.28),
        pytest.approx(0.35),
        "%",
    )
    client.post(f"/growth/goals/{goal.pk}/check-in", {"on": today.isoformat(), "value": "30"})
    assert GoalCheckIn.objects.get().value == pytest.approx(0.30)
    body = client.get(f"/growth/goals/{goal.pk}/").content.decode()
    assert "30.0%" in body and "28.0%" in body and "35.0%" in body and "<svg" in body


def test_a_custom_metric_needs_a_name(member):
    today = timezone.localdate()
    response = client_for(member).post(
        "/growth/goals/new",
        {
            "name": "Cafés",
            "metric": "custom",
            "baseline": "6",
            "target": "12",
            "start": today.isoformat(),
            "deadline": (today + dt.timedelta(100)).isoformat(),
            "owner": member.pk,
        },
    )
    assert "Name the custom metric" in response.content.decode() and not Goal.objects.exists()


def test_read_only_sees_goals_and_cannot_add_or_check_in(read_only, owner):
    goal = maya_goal(owner, timezone.localdate() - dt.timedelta(days=10))
    client = client_for(read_only)
    page = client.get("/growth/").content.decode()
    assert goal.name in page and "New goal" not in page
    assert client.get("/growth/goals/new").status_code == 403
    check_in = {"on": timezone.localdate().isoformat(), "value": "30"}
    assert client.post(f"/growth/goals/{goal.pk}/check-in", check_in).status_code == 403
    with pytest.raises(PermissionDenied):
        services.record_check_in(goal, on=timezone.localdate(), value=0.3, actor=read_only)


def test_goals_show_on_the_dashboard(owner):
    start = timezone.localdate() - dt.timedelta(days=60)
    maya_goal(owner, start)
    snapshot(start + dt.timedelta(days=31), 0.29)
    body = client_for(owner).get("/").content.decode()
    assert 'id="dashboard-goals"' in body and "Repeat-purchase rate from 28% to 35%" in body
    assert "29.0%" in body


def test_editing_a_goal_shows_and_keeps_percentages(member, owner):
    goal = maya_goal(owner, timezone.localdate() - dt.timedelta(days=10))
    client = client_for(member)
    page = client.get(f"/growth/goals/{goal.pk}/edit").content.decode()
    assert 'name="baseline" value="28.0"' in page and 'name="target" value="35.0"' in page
    client.post(
        f"/growth/goals/{goal.pk}/edit",
        {
            "name": goal.name,
            "metric": "repeat_rate",
            "baseline": "28",
            "target": "37",
            "start": goal.start.isoformat(),
            "deadline": goal.deadline.isoformat(),
            "owner": owner.pk,
        },
    )
    goal.refresh_from_db()
    assert goal.target == pytest.approx(0.37) and goal.baseline == pytest.approx(0.28)


def test_the_workers_dashboard_refresh_records_the_live_goals_check_in(owner):
    from thrive.analytics.refresh import request_refresh
    from thrive.analytics.tasks import refresh_analytics
    from thrive.testing.factories import OrderFactory, PersonFactory

    now = timezone.now()
    repeat, once = PersonFactory(), PersonFactory()
    for person, days_ago in ((repeat, 90), (repeat, 20), (once, 50)):
        OrderFactory(person=person, ordered_at=now - dt.timedelta(days=days_ago))
    goal = maya_goal(owner, timezone.localdate() - dt.timedelta(days=30))
    refresh_analytics.call(request_refresh().pk)
    check_ins = GoalCheckIn.objects.filter(goal=goal, source=CheckInSource.LIVE)
    assert check_ins.count() == 1
    snap = DashboardSnapshot.objects.get()
    assert services.live_value(snap.payload, "repeat_rate") == pytest.approx(0.5)
    assert check_ins.get().value == pytest.approx(0.5)
