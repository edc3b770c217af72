"""Someone in the Lost stage has no churn risk to score ("Lost"), and no at-risk list
offers them or anyone predicted to be worth nothing; segment keys and model names read as
words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thrive.analytics import refresh
from thrive.analytics.models import AnalyticsRefresh, CustomerScore, DashboardSnapshot
from thrive.conftest import client_for
from thrive.contacts import services as contacts
from thrive.contacts.queries import people_matching
from thrive.testing.business import build_business

pytestmark = pytest.mark.django_db


def _refresh() -> DashboardSnapshot:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return refresh.run_refresh(AnalyticsRefresh.objects.create().pk, as_of=tomorrow)


@pytest.fixture
def scored(owner):
    shop = build_business(owner)
    # The newest clients bought recently: the model would call them low risk.
    gone = shop.clients[-1]
    contacts.change_stage(gone, "lost", actor=owner)
    _refresh()
    return shop, gone


def test_a_lost_person_is_scored_lost_not_low_risk(scored, owner):
    shop, gone = scored
    assert CustomerScore.objects.get(person=gone).churn_risk == "lost"
    assert CustomerScore.objects.exclude(person=gone).filter(churn_risk="lost").count() == 0
    assert gone not in people_matching({"risk": "low"})
    assert list(people_matching({"risk": "lost"})) == [gone]
    page = client_for(owner).get(f"/people/{gone.pk}/").content.decode()
    assert "churn risk does not apply" in page and "Low risk" not in page


def test_someone_marked_lost_after_scoring_leaves_the_risk_lists_at_once(scored, owner):
    shop, _ = scored
    someone = shop.clients[-2]
    band = CustomerScore.objects.get(person=someone).churn_risk
    assert band in {"low", "medium", "high"}
    assert someone in people_matching({"risk": band})
    contacts.change_stage(someone, "lost", actor=owner)
    assert someone not in people_matching({"risk": band})
    page = client_for(owner).get(f"/people/{someone.pk}/").content.decode()
    assert "churn risk does not apply" in page


def test_the_dashboard_at_risk_count_is_the_list_it_links_to(scored, owner):
    from thrive.analytics.dashboard import _at_risk_count

    shop, gone = scored
    # The lost person and a customer predicted to be worth nothing both look high-risk;
    # a third is high-risk and still worth something.
    worthless, valuable = shop.clients[0], shop.clients[1]
    CustomerScore.objects.filter(person__in=[gone, worthless]).update(
        churn_risk="high", predicted_clv=0
    )
    CustomerScore.objects.filter(person=valuable).update(churn_risk="high", predicted_clv=50)
    listed = people_matching({"risk": "high"})
    assert valuable in listed and gone not in listed and worthless not in listed
    assert _at_risk_count()["high_risk"] == listed.count()
    html = client_for(owner).get("/people/?risk=high&sort=-revenue").content.decode()
    assert f"/people/{valuable.pk}/" in html and f"/people/{worthless.pk}/" not in html
    assert f"/people/{gone.pk}/" not in html


def test_rfm_segments_and_records_read_as_words(scored, owner):
    shop, _ = scored
    person = shop.clients[3]
    CustomerScore.objects.filter(person=person).update(rfm_segment="cant_lose_them")
    page = client_for(owner).get(f"/people/{person.pk}/").content.decode()
    assert "Can&#x27;t lose them" in page or "Can't lose them" in page
    assert "cant lose them" not in page and "cant_lose_them" not in page
    listing = client_for(owner).get("/people/").content.decode()
    assert "e.g. at_risk" not in listing and ">Can&#x27;t lose them<" in listing
    assert person in people_matching({"rfm": "cant_lose_them"})
    admin = client_for(owner).get("/admin/").content.decode()
    assert "Analytics refreshes" in admin and "refreshs" not in admin
