"""Starting the site queues the first dashboard computation through core's warm-up list."""

import pytest

from thrive.analytics.models import AnalyticsRefresh
from thrive.core import warmup


@pytest.mark.django_db
def test_the_serve_warm_up_queues_a_dashboard_refresh_when_there_is_no_snapshot() -> None:
    assert not AnalyticsRefresh.objects.exists()

    warmup.run_all()

    assert AnalyticsRefresh.objects.count() == 1


@pytest.mark.django_db
def test_running_the_warm_ups_twice_keeps_one_refresh_in_flight() -> None:
    warmup.run_all()
    warmup.run_all()

    assert AnalyticsRefresh.objects.count() == 1
