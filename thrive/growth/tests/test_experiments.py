"""The backlog ranks by score; the status flow needs evidence; roles decide who edits."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thrive.conftest import client_for
from thrive.growth import queries, services
from thrive.growth.models import Experiment, ExperimentStatus, StatusChange

pytestmark = pytest.mark.django_db


def make(actor=None, **kw):
    fields = {
        "title": "Idea",
        "hypothesis": "It helps.",
        "kpi": "Repeat rate",
        "growth_path": "penetration",
        "stance": "differentiation",
    }
    return services.create_experiment(actor=actor, **(fields | kw))


def test_backlog_ranks_ice_and_rice_separately_best_first():
    low = make(title="Low", impact=3, confidence=3, ease=3)  # ICE 3
    high = make(title="High", impact=9, confidence=6, ease=9)  # ICE 8
    mid = make(title="Mid", impact=5, confidence=5, ease=8)  # ICE 6
    tie = make(title="Tie with mid, newer", impact=6, confidence=6, ease=6)  # ICE 6
    big = make(title="Big", score_method="rice", reach=1000, impact=2, confidence=50, effort=4)
    small = make(title="Small", score_method="rice", reach=100, impact=3, confidence=80, effort=1)
    ranked = queries.backlog()
    assert [e.title for e in ranked["ice"]] == [high.title, mid.title, tie.title, low.title]
    assert big.score == pytest.approx(250.0) and small.score == pytest.approx(240.0)
    assert [e.title for e in ranked["rice"]] == ["Big", "Small"]
    assert high.score == pytest.approx(8.0)


def test_ansoff_matrix_places_open_experiments_in_their_cell():
    make(title="Sell more beans", growth_path="penetration")
    make(title="Cold brew", growth_path="product_development")
    stopped = make(title="Tea shop", growth_path="diversification")
    services.change_experiment_status(stopped, ExperimentStatus.STOPPED, actor=None)
    grid = queries.ansoff(list(Experiment.objects.all()))
    cells = {c["path"]: [e.title for e in c["items"]] for row in grid for c in row}
    assert cells == {
        "penetration": ["Sell more beans"],
        "product_development": ["Cold brew"],
        "market_development": [],
        "diversification": [],
    }


def test_cannot_scale_without_a_significant_measured_effect(member):
    exp = make(member)
    with pytest.raises(ValidationError, match="cannot become"):
        services.change_experiment_status(exp, ExperimentStatus.SCALED, actor=member)
    services.change_experiment_status(exp, ExperimentStatus.RUNNING, actor=member)
    with pytest.raises(ValidationError, match="numbers"):
        services.change_experiment_status(exp, ExperimentStatus.MEASURED, actor=member)
    # 10.0% vs 10.0%: no effect.
    services.record_experiment_numbers(exp, actor=member, n_a=400, x_a=40, n_b=410, x_b=41)
    services.change_experiment_status(exp, ExperimentStatus.MEASURED, actor=member)
    with pytest.raises(ValidationError, match="significant"):
        services.change_experiment_status(exp, ExperimentStatus.SCALED, actor=member)
    exp.refresh_from_db()
    assert exp.status == ExperimentStatus.MEASURED and not exp.nailed
    services.change_experiment_status(exp, ExperimentStatus.STOPPED, actor=member, note="Tie")
    assert exp.status == ExperimentStatus.STOPPED
    assert list(StatusChange.objects.values_list("to_status", flat=True)) == [
        "running",
        "measured",
        "stopped",
    ]


def test_a_significant_improvement_is_nailed_and_can_be_scaled(owner):
    exp = make(owner, planned_per_arm=1100)
    services.change_experiment_status(exp, ExperimentStatus.RUNNING, actor=owner)
    services.record_experiment_numbers(exp, actor=owner, n_a=1180, x_a=94, n_b=1204, x_b=131)
    services.change_experiment_status(exp, ExperimentStatus.MEASURED, actor=owner)
    exp.refresh_from_db()
    assert exp.nailed and exp.result().p_value < 0.05
    services.change_experiment_status(exp, ExperimentStatus.SCALED, actor=owner)
    exp.refresh_from_db()
    assert exp.status == ExperimentStatus.SCALED
    with pytest.raises(ValidationError, match="final"):
        services.record_experiment_numbers(exp, actor=owner, n_a=1, x_a=0, n_b=1, x_b=1)


def test_a_significant_worsening_cannot_be_scaled(owner):
    exp = make(owner)
    services.change_experiment_status(exp, ExperimentStatus.RUNNING, actor=owner)
    services.record_experiment_numbers(exp, actor=owner, n_a=1204, x_a=131, n_b=1180, x_b=94)
    services.change_experiment_status(exp, ExperimentStatus.MEASURED, actor=owner)
    with pytest.raises(ValidationError, match="B better than A"):
        services.change_experiment_status(exp, ExperimentStatus.SCALED, actor=owner)


def test_a_winner_before_the_planned_size_cannot_be_scaled_and_peeks_are_counted(owner):
    exp = make(owner, planned_per_arm=2000)
    services.change_experiment_status(exp, ExperimentStatus.RUNNING, actor=owner)
    services.record_experiment_numbers(exp, actor=owner, n_a=600, x_a=40, n_b=600, x_b=70)
    services.record_experiment_numbers(exp, actor=owner, n_a=1180, x_a=94, n_b=1204, x_b=131)
    services.change_experiment_status(exp, ExperimentStatus.MEASURED, actor=owner)
    exp.refresh_from_db()
    assert exp.looks == 2 and exp.result().significant and not exp.nailed
    with pytest.raises(ValidationError, match="peeking"):
        services.change_experiment_status(exp, ExperimentStatus.SCALED, actor=owner)


def test_impossible_numbers_are_refused_by_the_database_rule(owner):
    exp = make(owner)
    with pytest.raises(ValidationError, match="exceed"):
        services.record_experiment_numbers(exp, actor=owner, n_a=10, x_a=11, n_b=10, x_b=1)


def test_read_only_can_look_but_not_change(read_only, member):
    exp = make(member)
    client = client_for(read_only)
    assert client.get(f"/growth/experiments/{exp.pk}/").status_code == 200
    assert client.get("/growth/experiments/").status_code == 200
    assert client.post(f"/growth/experiments/{exp.pk}/status", {"to": "running"}).status_code == 403
    assert client.post("/growth/experiments/new", {}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.change_experiment_status(exp, ExperimentStatus.RUNNING, actor=read_only)
    exp.refresh_from_db()
    assert exp.status == ExperimentStatus.IDEA


def test_member_moves_an_experiment_through_the_pages(member):
    client = client_for(member)
    response = client.post(
        "/growth/experiments/new",
        {
            "title": "Win-back note",
            "hypothesis": "A note beats a code.",
            "kpi": "Came back",
            "growth_path": "penetration",
            "stance": "differentiation",
            "score_method": "ice",
            "impact": 8,
            "confidence": 7,
            "ease": 9,
            "reach": 0,
            "effort": 1,
            "measure": "proportion",
            "alpha": 0.05,
            "planned_per_arm": 1000,
        },
    )
    exp = Experiment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{exp.pk}/")
    client.post(f"/growth/experiments/{exp.pk}/status", {"to": "running"})
    client.post(
        f"/growth/experiments/{exp.pk}/numbers", {"n_a": 1180, "x_a": 94, "n_b": 1204, "x_b": 131}
    )
    body = client.get(f"/growth/experiments/{exp.pk}/").content.decode()
    assert "B (variant) beats A (control)" in body and "0.0150" in body
    bad = client.post(
        f"/growth/experiments/{exp.pk}/numbers",
        {"n_a": 10, "x_a": 20, "n_b": 10, "x_b": 1},
        follow=True,
    )
    assert "More successes than people in A" in bad.content.decode()


def test_ice_scores_outside_one_to_ten_are_refused_with_the_field_named(member):
    response = client_for(member).post(
        "/growth/experiments/new",
        {
            "title": "X",
            "hypothesis": "Y",
            "kpi": "Z",
            "growth_path": "penetration",
            "stance": "cost",
            "score_method": "ice",
            "impact": 11,
            "confidence": 5,
            "ease": 5,
            "reach": 0,
            "effort": 1,
            "measure": "proportion",
            "alpha": 0.05,
            "planned_per_arm": 0,
        },
    )
    assert (
        response.status_code == 200 and "ICE scores run from 1 to 10" in response.content.decode()
    )
    assert not Experiment.objects.exists()


def test_numbers_come_from_the_campaign_variants_delivered_and_clicked(member):
    from django.utils import timezone

    from thrive.outreach.models import Campaign, CampaignVariant, Delivery, EmailTemplate
    from thrive.segments.services import create_segment
    from thrive.testing.factories import PersonFactory

    segment = create_segment(actor=None, name="Lapsed", rules={"match": "all", "rules": []})
    campaign = Campaign.objects.create(name="Win-back", segment=segment)
    template = EmailTemplate.objects.create(name="Note", subject="We miss you")
    arms = {
        label: CampaignVariant.objects.create(campaign=campaign, label=label, template=template)
        for label in "AB"
    }
    now = timezone.now()
    # A: 4 delivered (1 bounced aside), 1 clicked. B: 3 delivered, 2 clicked.
    rows = [("A", True, False, False)] * 3 + [("A", True, True, False), ("A", True, False, True)]
    rows += [("B", True, False, False), ("B", True, True, False), ("B", True, True, False)]
    for i, (label, sent, clicked, bounced) in enumerate(rows):
        Delivery.objects.create(
            idempotency_key=f"k{i}",
            person=PersonFactory(),
            campaign=campaign,
            variant=arms[label],
            purpose="email_marketing",
            sent_at=now if sent else None,
            clicked_at=now if clicked else None,
            bounced_at=now if bounced else None,
        )
    exp = make(member, campaign=campaign)
    services.pull_campaign_numbers(exp, actor=member)
    exp.refresh_from_db()
    assert (exp.n_a, exp.x_a, exp.n_b, exp.x_b) == (4, 1, 3, 2)
    without = make(member)
    with pytest.raises(ValidationError, match="Link a campaign"):
        services.pull_campaign_numbers(without, actor=member)


def test_a_comparison_of_means_is_welch_on_the_page(member):
    from scipy import stats

    exp = make(member, measure="mean")
    services.record_experiment_numbers(
        exp, actor=member, n_a=140, mean_a=32.5, sd_a=11.0, n_b=150, mean_b=33.4, sd_b=12.5
    )
    ref = stats.ttest_ind_from_stats(33.4, 12.5, 150, 32.5, 11.0, 140, equal_var=False)
    body = client_for(member).get(f"/growth/experiments/{exp.pk}/").content.decode()
    assert f"{ref.pvalue:.4f}" in body and "No detectable difference" in body
    assert "Welch t" in body


def test_list_pages_use_a_fixed_number_of_queries(member, django_assert_max_num_queries):
    client = client_for(member)
    for i in range(3):
        make(member, title=f"E{i}")
    with django_assert_max_num_queries(12) as few:
        client.get("/growth/experiments/")
    for i in range(20):
        make(member, title=f"More {i}", growth_path="market_development")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/growth/experiments/")


def test_the_plan_is_fixed_once_the_test_runs_but_scores_may_change(member):
    exp = make(member, planned_per_arm=2000)
    services.update_experiment(exp, actor=member, planned_per_arm=1000)
    services.change_experiment_status(exp, ExperimentStatus.RUNNING, actor=member)
    with pytest.raises(ValidationError, match="planned_per_arm cannot change"):
        services.update_experiment(exp, actor=member, planned_per_arm=500)
    services.update_experiment(exp, actor=member, impact=9, planned_per_arm=1000)
    exp.refresh_from_db()
    assert exp.impact == 9 and exp.planned_per_arm == 1000
    page = client_for(member).get(f"/growth/experiments/{exp.pk}/edit")
    assert page.status_code == 200 and "Save changes" in page.content.decode()
