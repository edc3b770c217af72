"""Reading the dashboard and the goal pages writes nothing: the worker's dashboard refresh
records the live goals' check-ins, not the page someone happens to open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thrive.conftest import client_for
from thrive.core.testing.db import WriteDuringRead, no_writes
from thrive.growth.models import GoalCheckIn

from .test_goals import maya_goal, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_goal_with_a_new_snapshot(owner):
    """A live goal and a fresh snapshot whose figure no check-in has recorded yet."""
    start = timezone.localdate() - dt.timedelta(days=40)
    goal = maya_goal(owner, start)
    snapshot(timezone.localdate(), 0.31)
    assert not GoalCheckIn.objects.exists()
    return goal


@pytest.mark.parametrize("page", ["/", "/growth/", "goal"])
def test_a_get_of_a_goal_page_writes_no_row(owner, live_goal_with_a_new_snapshot, page):
    client = client_for(owner)
    url = f"/growth/goals/{live_goal_with_a_new_snapshot.pk}/" if page == "goal" else page
    with no_writes():
        response = client.get(url)
    assert response.status_code == 200
    assert "Repeat-purchase rate from 28% to 35%" in response.content.decode()
    assert not GoalCheckIn.objects.exists()


def test_the_write_guard_catches_a_write(owner):
    with pytest.raises(WriteDuringRead, match="UPDATE"), no_writes():
        type(owner).objects.filter(pk=owner.pk).update(first_name="Changed")
