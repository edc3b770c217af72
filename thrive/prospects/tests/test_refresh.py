import pytest
from django.test import TestCase
from django_tasks_db.models import DBTaskResult

from thrive.conftest import client_for
from thrive.prospects.models import IdealProfile, LeadModel
from thrive.prospects.tasks import refresh_prospects

pytestmark = pytest.mark.django_db


def _queued() -> list[str]:
    return [row.task_path for row in DBTaskResult.objects.all()]


def test_opening_reach_without_a_profile_queues_the_refresh(member):
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client_for(member).get("/reach/").status_code == 200
    assert _queued() == ["thrive.prospects.tasks.refresh_prospects"]


def test_the_refresh_job_computes_profile_and_lead_model():
    result = refresh_prospects.call()
    assert IdealProfile.objects.filter(pk=result["profile"]).exists()
    assert LeadModel.objects.filter(pk=result["lead_model"]).exists()
    assert result["thanked"] == 0


def test_recompute_needs_an_editing_role(member, read_only):
    assert client_for(read_only).post("/reach/refresh").status_code == 403
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client_for(member).post("/reach/refresh").status_code == 302
    assert "thrive.prospects.tasks.refresh_prospects" in _queued()


@pytest.mark.parametrize("url", ["/reach/", "/reach/leads/", "/reach/partners/", "/ecosystem/"])
def test_every_reach_page_opens_for_every_role(persona, url):
    assert client_for(persona).get(url).status_code == 200


def test_the_pages_need_a_sign_in(client):
    response = client.get("/reach/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_analytics_refresh_queues_the_profile_and_lead_scores_after_it():
    from thrive.analytics.refresh import request_refresh as request_analytics
    from thrive.analytics.tasks import refresh_analytics

    with TestCase.captureOnCommitCallbacks(execute=True):
        run = request_analytics()
    assert _queued() == ["thrive.analytics.tasks.refresh_analytics"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        refresh_analytics.call(run.pk)
    assert _queued().count("thrive.prospects.tasks.refresh_prospects") == 1
