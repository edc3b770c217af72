from collections import Counter
from types import SimpleNamespace

import pytest

from thrive.core.roles import Role
from thrive.outreach.inbound.bounces import find_by_message_id, record_bounce
from thrive.outreach.models import CampaignStatus, Delivery, DeliveryStatus
from thrive.outreach.reports.numbers import by
from thrive.outreach.sending.dispatch import assign_variant, create_campaign, send_campaign
from thrive.outreach.sending.sender import run_pump
from thrive.segments.models import Segment
from thrive.testing.factories import AssociateFactory

from .conftest import consenting_person, make_template

pytestmark = pytest.mark.django_db


def test_ab_assignment_is_deterministic_and_the_holdout_is_honoured():
    a, b = SimpleNamespace(label="A", weight=1), SimpleNamespace(label="B", weight=1)
    picks = [assign_variant(7, pid, [a, b], 10) for pid in range(1, 4001)]
    again = [assign_variant(7, pid, [a, b], 10) for pid in range(1, 4001)]
    assert picks == again
    counts = Counter(p.label if p else "holdout" for p in picks)
    assert 330 < counts["holdout"] < 470
    assert abs(counts["A"] - counts["B"]) < 250
    # Another campaign splits the same people differently.
    other = [assign_variant(8, pid, [a, b], 10) for pid in range(1, 4001)]
    assert other != picks


def make_campaign(people, **kwargs):
    owner = AssociateFactory(username="camp-owner", role=Role.OWNER)
    segment = Segment.objects.create(name="All", rules={"match": "all", "rules": []})
    campaign = create_campaign(
        actor=owner,
        name="Spring",
        segment=segment,
        template=make_template("Spring A"),
        variant_b_subject='Fresh beans for {{ person.first_name|default:"you" }}',
        **kwargs,
    )
    return owner, campaign


def test_a_campaign_reaches_its_segment_split_into_variants_and_holdout(smtp_sink):
    people = [consenting_person() for _ in range(40)]
    owner, campaign = make_campaign(people, holdout_percent=20)
    send_campaign(campaign, actor=owner)
    run_pump()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    held = Delivery.objects.filter(campaign=campaign, skip_reason="holdout").count()
    sent = Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENT)
    assert held + sent.count() == 40 and 0 < held < 40
    assert len(smtp_sink.messages) == sent.count()
    subjects = Counter(m.message["Subject"].split(" ")[0] for m in smtp_sink.messages)
    assert set(subjects) == {"Hello", "Fresh"}
    numbers = by(Delivery.objects.filter(campaign=campaign), "variant")
    a, b = campaign.variants.order_by("label")
    assert numbers[a.pk]["sent"] + numbers[b.pk]["sent"] == sent.count()
    assert numbers[None]["held_out"] == held
    # Running again sends nothing more.
    run_pump()
    assert len(smtp_sink.messages) == sent.count()


def test_a_campaign_stops_itself_when_too_many_bounce(smtp_sink, settings):
    people = [consenting_person() for _ in range(30)]
    owner, campaign = make_campaign(people)
    campaign.stop_after_sends = 10
    campaign.save()
    send_campaign(campaign, actor=owner)
    # Send only the first ten, as if mid-campaign, then bounces arrive.
    settings.THRIVE_OUTREACH_BATCH = 10
    run_pump(budget_seconds=0)
    sent = list(Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENT))
    assert len(sent) == 10
    for delivery in sent[:1]:
        record_bounce(find_by_message_id(delivery.message_id), permanent=True, detail="550")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.STOPPED
    assert "10.0% of 10 messages bounced, above the 5.0% limit" in campaign.stopped_reason
    run_pump()
    assert len(smtp_sink.messages) == 10
    assert Delivery.objects.filter(campaign=campaign, skip_reason="campaign_stopped").count() == 20


def test_an_audience_being_built_is_left_to_its_builder_until_it_falls_silent():
    import datetime as dt

    from django.utils import timezone

    from thrive.outreach.models import Campaign
    from thrive.outreach.sending.dispatch import start_due_campaigns

    people = [consenting_person() for _ in range(3)]
    owner, campaign = make_campaign(people)
    now = timezone.now()
    # Another worker started it a moment ago and is still writing deliveries.
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.SENDING, started_at=now, updated_at=now
    )
    assert start_due_campaigns(now=now) == []
    assert not Delivery.objects.filter(campaign=campaign).exists()
    # Silent for longer than a lease (120 s by default): that builder died; take over once.
    later = now + dt.timedelta(seconds=121)
    assert start_due_campaigns(now=later) == [campaign.pk]
    assert Delivery.objects.filter(campaign=campaign).count() == 3
    campaign.refresh_from_db()
    assert campaign.audience_ready
