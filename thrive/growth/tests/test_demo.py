"""The demo shows growth planning: Maya's goal, a scored backlog with one honest A/B
verdict, monthly figures and two quarterly health checks, built the same way twice."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from thrive.growth import queries
from thrive.growth.demo import REPEAT_GOAL, SUBJECT_TEST, seed_demo
from thrive.growth.models import Experiment, Goal, GoalCheckIn, HealthCheck, MonthlyFigures


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[None]:
    data_dir = tmp_path_factory.mktemp("growth-demo")
    args = ["--people=300", "--seed=7", "--as-of=2026-06-30", "--no-progress", "--reset"]
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(DATA_DIR=data_dir, PASSWORD_HASHERS=fast):
        call_command("demo", *args, stdout=io.StringIO(), stderr=io.StringIO())
        yield
        from thrive.accounts.models import Associate, Business
        from thrive.demo import build

        build.flush_business_data()
        Business.objects.all().delete()
        with connection.cursor() as cursor:  # the ORM delete would visit every related app
            marks = ", ".join(["%s"] * len(build.DEMO_USERNAMES))
            cursor.execute(
                f"DELETE FROM {Associate._meta.db_table} WHERE username IN ({marks})",  # noqa: S608
                build.DEMO_USERNAMES,
            )


@pytest.mark.django_db
def test_demo_seeds_goals_backlog_and_health_checks_once(demo):
    counts = [
        Goal.objects.count(),
        Experiment.objects.count(),
        HealthCheck.objects.count(),
        MonthlyFigures.objects.count(),
        GoalCheckIn.objects.count(),
    ]
    seed_demo("maya")
    again = [
        Goal.objects.count(),
        Experiment.objects.count(),
        HealthCheck.objects.count(),
        MonthlyFigures.objects.count(),
        GoalCheckIn.objects.count(),
    ]
    # Seven in the backlog, and the demo campaign's subject test judged on revenue.
    assert counts == again and counts[:4] == [2, 8, 2, 18]
    subject_test = Experiment.objects.get(title=SUBJECT_TEST)
    assert subject_test.campaign is not None and subject_test.campaign.holdout_percent > 0
    assert (subject_test.measure, subject_test.campaign_outcome) == ("mean", "revenue")
    assert subject_test.n_a > 0 and subject_test.n_b > 0 and subject_test.mean_a is not None
    goal = Goal.objects.get(name=REPEAT_GOAL)
    assert goal.owner.username == "maya" and goal.target == pytest.approx(goal.baseline + 0.07)
    assert goal.deadline.month == 6 and goal.deadline.year == 2027  # as of June 2026: next June
    ranked = queries.backlog()
    assert len(ranked["ice"]) == 5 and len(ranked["rice"]) == 3
    nailed = [e.title for e in Experiment.objects.all() if e.nailed]
    assert nailed == ["Win-back email: Tom's personal note vs a 10% code"]
    stopped = Experiment.objects.get(status="stopped")
    assert not stopped.result().significant
    q1, q2 = HealthCheck.objects.order_by("period_end")
    assert (str(q1.period_start), str(q2.period_end)) == (
        "2025-10-01",
        "2026-03-31",
    )  # the last two whole quarters
    assert q2.previous() == q1 and q2.figures["financial"]["source"] == "figures"
