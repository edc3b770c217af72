"""An A/B verdict says which arm is which: a campaign test names each variant by its
subject, a hand-entered one says which arm is the control."""

from __future__ import annotations

import pytest

from thrive.conftest import client_for
from thrive.growth import services
from thrive.growth.models import Experiment
from thrive.growth.verdict import verdict
from thrive.insights.abtest import bayes_proportions, proportions_test
from thrive.outreach.models import Campaign, CampaignVariant, EmailTemplate
from thrive.segments.services import create_segment

pytestmark = pytest.mark.django_db


def test_a_campaign_test_names_the_winning_variant(member):
    segment = create_segment(actor=None, name="Lapsed", rules={"match": "all", "rules": []})
    campaign = Campaign.objects.create(name="Win-back", segment=segment)
    template = EmailTemplate.objects.create(name="Note", subject="We miss you")
    CampaignVariant.objects.create(
        campaign=campaign, label="A", template=template, subject="Our autumn beans"
    )
    CampaignVariant.objects.create(
        campaign=campaign, label="B", template=template, subject="A note from Tom"
    )
    exp = services.create_experiment(
        actor=member, title="Tom's note", hypothesis="Personal wins.", kpi="Repeat rate",
        growth_path="penetration", stance="differentiation", campaign=campaign,
    )  # fmt: skip
    Experiment.objects.filter(pk=exp.pk).update(n_a=1180, x_a=94, n_b=1204, x_b=131)
    body = client_for(member).get(f"/growth/experiments/{exp.pk}/").content.decode()
    assert "B “A note from Tom” beats A “Our autumn beans”" in body
    assert "Keep B “A note from Tom”." in body
    assert "Chance B “A note from Tom” beats A “Our autumn beans”" in body


def test_without_a_campaign_the_arms_are_control_and_variant():
    # A converts 131 of 1204, B only 94 of 1180.
    result = proportions_test(1204, 131, 1180, 94)
    worse = verdict(
        result, bayes_proportions(1204, 131, 1180, 94), n_now=1180, n_planned=0, looks=0
    )
    assert result.significant
    assert worse["title"] == "B (variant) is worse than A (control)"
    assert "Keep A (control)." in worse["text"]
