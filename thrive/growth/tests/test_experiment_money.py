"""An experiment on a campaign can be judged on orders within N days or on revenue per
person, read straight from the campaign; the page shows the campaign against its holdout."""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from thrive.conftest import client_for
from thrive.growth import services
from thrive.growth.forms import ExperimentForm
from thrive.outreach.models import Campaign, CampaignVariant, Delivery, EmailTemplate
from thrive.segments.services import create_segment
from thrive.testing.factories import OrderFactory, PersonFactory

pytestmark = pytest.mark.django_db

START = timezone.now() - dt.timedelta(days=45)


def _campaign() -> tuple[Campaign, dict[str, list[int]]]:
    """A: 4 picked, B: 3 picked, holdout: 2; picked 45 days ago."""
    segment = create_segment(actor=None, name="Everyone", rules={"match": "all", "rules": []})
    campaign = Campaign.objects.create(
        name="Small lots", segment=segment, holdout_percent=20, started_at=START
    )
    template = EmailTemplate.objects.create(name="Lots", subject="New small lots")
    arms = {
        label: CampaignVariant.objects.create(
            campaign=campaign, label=label, template=template, subject=f"Subject {label}"
        )
        for label in "AB"
    }
    people: dict[str, list[int]] = {"A": [], "B": [], "holdout": []}
    for i, label in enumerate(["A"] * 4 + ["B"] * 3 + ["holdout"] * 2):
        person = PersonFactory()
        people[label].append(person.pk)
        Delivery.objects.create(
            idempotency_key=f"c:{i}", person=person, campaign=campaign,
            variant=arms.get(label), purpose="email_marketing", created_at=START,
            status="skipped" if label == "holdout" else "sent",
            skip_reason="holdout" if label == "holdout" else "",
        )  # fmt: skip
    return campaign, people


def _buy(pid: int, days: int, amount: str) -> None:
    OrderFactory(person_id=pid, ordered_at=START + dt.timedelta(days=days), total=Decimal(amount))


def _experiment(member, campaign, **kw):
    fields = {
        "title": "Subjects", "hypothesis": "B sells more.", "kpi": "Revenue",
        "growth_path": "penetration", "stance": "differentiation", "campaign": campaign,
    }  # fmt: skip
    return services.create_experiment(actor=member, **(fields | kw))


def test_ordered_within_the_window_counts_people_picked_and_who_ordered(member):
    campaign, people = _campaign()
    _buy(people["A"][0], 3, "20.00")
    _buy(people["A"][0], 9, "20.00")  # the same person twice: one buyer
    _buy(people["B"][0], 5, "30.00")
    _buy(people["B"][1], 12, "10.00")
    _buy(people["B"][2], 20, "10.00")  # after a 14-day window
    exp = _experiment(member, campaign, campaign_outcome="ordered", outcome_days=14)
    services.pull_campaign_numbers(exp, actor=member)
    exp.refresh_from_db()
    assert (exp.n_a, exp.x_a, exp.n_b, exp.x_b) == (4, 1, 3, 2)


def test_revenue_per_person_gives_each_arms_mean_and_spread(member):
    campaign, people = _campaign()
    _buy(people["A"][0], 3, "40.00")
    _buy(people["A"][1], 3, "20.00")
    _buy(people["B"][0], 5, "90.00")
    _buy(people["B"][1], 40, "90.00")  # after the 30-day window
    exp = _experiment(member, campaign, measure="mean", campaign_outcome="revenue")
    services.pull_campaign_numbers(exp, actor=member)
    exp.refresh_from_db()
    assert (exp.n_a, exp.mean_a, exp.n_b, exp.mean_b) == (4, 15.0, 3, 30.0)
    assert exp.sd_a == pytest.approx(statistics.stdev([40, 20, 0, 0]))
    assert exp.sd_b == pytest.approx(statistics.stdev([90, 0, 0]))


def test_revenue_needs_the_mean_measure_and_says_so(member):
    campaign, _ = _campaign()
    exp = _experiment(member, campaign, campaign_outcome="revenue")
    with pytest.raises(ValidationError, match="set the measure to “An average"):
        services.pull_campaign_numbers(exp, actor=member)
    form = ExperimentForm(
        data={
            "title": "x", "hypothesis": "y", "kpi": "z", "growth_path": "penetration",
            "stance": "differentiation", "score_method": "ice", "impact": 5, "confidence": 5,
            "ease": 5, "reach": 0, "effort": 1, "measure": "proportion", "alpha": 0.05,
            "planned_per_arm": 0, "campaign_outcome": "revenue", "outcome_days": 30,
        }
    )  # fmt: skip
    assert not form.is_valid()
    assert "Revenue per person is an average" in str(form.errors["measure"])


def test_the_experiment_page_names_the_arms_and_shows_the_campaign_against_its_holdout(
    member, read_only
):
    campaign, people = _campaign()
    exp = _experiment(member, campaign, measure="mean", campaign_outcome="revenue")
    for user in (member, read_only):
        page = client_for(user).get(f"/growth/experiments/{exp.pk}/").content.decode()
        assert "A “Subject A” is variant A, B “Subject B” is variant B" in page
        assert "the 20% holdout got nothing" in page
        assert "Judged on money" in page and "Holdout (sent nothing)" in page
        assert "Revenue per person within the window (of the people picked), 30 days" in page
    assert (
        "Read revenue per person"
        in client_for(member).get(f"/growth/experiments/{exp.pk}/").content.decode()
    )
    # Reading the numbers is a write: read-only people may not.
    assert client_for(read_only).post(f"/growth/experiments/{exp.pk}/pull").status_code == 403
