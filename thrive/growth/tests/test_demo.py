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
    # The backlog's seven, the top idea (RICE), the SWOT's opportunity (ICE), and the demo
    # campaign's subject test judged on revenue.
    assert counts == again and counts[:4] == [2, 10, 2, 18]
    subject_test = Experiment.objects.get(title=SUBJECT_TEST)
    assert subject_test.campaign is not None and subject_test.campaign.holdout_percent > 0
    assert (subject_test.measure, subject_test.campaign_outcome) == ("mean", "revenue")
    assert subject_test.n_a > 0 and subject_test.n_b > 0 and subject_test.mean_a is not None
    goal = Goal.objects.get(name=REPEAT_GOAL)
    assert goal.owner.username == "maya" and goal.target == pytest.approx(goal.baseline + 0.07)
    assert goal.deadline.month == 6 and goal.deadline.year == 2027  # as of June 2026: next June
    ranked = queries.backlog()
    # ICE: the backlog's ICE ideas and the demo campaign's subject test; RICE: the backlog's
    # RICE ideas and the top idea from the board.
    assert "Which subject sells the small lots?" in {e.title for e in ranked["ice"]}
    assert len(ranked["ice"]) == 6 and len(ranked["rice"]) == 4
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


@pytest.mark.django_db
def test_demo_shows_the_assessment_journey_roadmap_and_tom_on_the_win_back_playbook(demo):
    from thrive.growth import assessment_queries
    from thrive.growth.models import JourneyMap, Playbook, SwotItem

    assert SwotItem.objects.count() == 8
    assert assessment_queries.strategy().stance == "differentiation"
    canvas = assessment_queries.canvas()
    assert len(canvas.factors) == 6 and len(canvas.competitors) == 2
    runway = assessment_queries.runway()
    assert len(runway.used) == 3 and runway.burning and runway.months > 0
    journey = JourneyMap.objects.get()
    assert journey.people > 0 and journey.payload["slowest"] is not None
    from_idea = Experiment.objects.get(idea__isnull=False)
    assert from_idea.idea.status == "planned" and from_idea.reach == from_idea.idea.votes.count()
    winback = Playbook.objects.get(kind="playbook")
    assert winback.experiment.status == "scaled" and winback.experiment.title.startswith("Win-back")
    tom = winback.assignments.get().associate
    assert tom.username == "tom"
    assert winback.assignments.get().ticks.count() == 2 and winback.steps.count() == 4
    assert winback.workflow.name == "Win back valuable customers"
    assert winback.segment.name == "Valuable customers slipping away"
    assert sorted(t.name for t in winback.templates.all()) == ["A note from Tom", "We miss you"]
