"""A campaign can be changed or called off until it starts sending, and only by people
who may edit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from thrive.conftest import client_for
from thrive.outreach.models import Campaign, CampaignStatus, Delivery
from thrive.outreach.sending.dispatch import (
    cancel_campaign,
    create_campaign,
    send_campaign,
    update_campaign,
)
from thrive.outreach.sending.sender import run_pump
from thrive.segments.models import Segment

from .conftest import consenting_person, make_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(owner):
    segment = Segment.objects.create(name="Everyone", rules={"match": "all", "rules": []})
    return create_campaign(
        actor=owner, name="Spring", segment=segment, template=make_template("Spring A")
    )


def _form(campaign, **changes):
    data = {
        "name": campaign.name,
        "segment": campaign.segment_id,
        "purpose": campaign.purpose,
        "template": campaign.variants.get(label="A").template_id,
        "subject": "",
        "variant_b_template": "",
        "variant_b_subject": "",
        "holdout_percent": 0,
    }
    data.update(changes)
    return data


def test_a_member_edits_a_draft_from_the_page_and_it_sends_as_edited(member, draft, smtp_sink):
    people = [consenting_person() for _ in range(6)]
    regulars = Segment.objects.create(name="Regulars", rules={"match": "all", "rules": []})
    other = make_template("Autumn", subject="Autumn beans")
    client = client_for(member)
    url = reverse("campaign_edit", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Spring" in page.content.decode()
    response = client.post(
        url,
        _form(
            draft,
            name="Autumn",
            segment=regulars.pk,
            template=other.pk,
            variant_b_subject="Last of the harvest",
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.name, draft.segment_id) == ("Autumn", regulars.pk)
    variants = {v.label: (v.template_id, v.subject) for v in draft.variants.all()}
    assert variants == {"A": (other.pk, ""), "B": (other.pk, "Last of the harvest")}

    send_campaign(draft, actor=member)
    run_pump()
    subjects = sorted({m.message["Subject"] for m in smtp_sink.messages})
    assert len(smtp_sink.messages) == len(people)
    assert set(subjects) <= {"Autumn beans", "Last of the harvest"} and len(subjects) == 2


def test_removing_variant_b_and_changing_the_holdout(owner, draft):
    update_campaign(
        draft,
        actor=owner,
        name="Spring",
        segment=draft.segment,
        template=draft.variants.get(label="A").template,
        variant_b_subject="Another subject",
    )
    assert draft.variants.count() == 2
    update_campaign(
        draft,
        actor=owner,
        name="Spring",
        segment=draft.segment,
        template=draft.variants.get(label="A").template,
        holdout_percent=20,
    )
    assert list(draft.variants.values_list("label", flat=True)) == ["A"]
    assert draft.holdout_percent == 20
    with pytest.raises(ValidationError):
        update_campaign(
            draft,
            actor=owner,
            name="Spring",
            segment=draft.segment,
            template=draft.variants.get(label="A").template,
            holdout_percent=90,
        )
    draft.refresh_from_db()
    assert draft.holdout_percent == 20


def test_a_scheduled_campaign_can_be_moved_and_edited_but_not_once_it_sends(owner, draft):
    consenting_person()
    later = timezone.now() + dt.timedelta(days=2)
    send_campaign(draft, actor=owner, at=later)
    client = client_for(owner)
    url = reverse("campaign_edit", args=[draft.pk])
    zone = timezone.get_current_timezone()
    assert client.get(url).status_code == 200
    moved = (later + dt.timedelta(days=1)).astimezone(zone)
    response = client.post(
        url, _form(draft, name="Spring, moved", when=moved.strftime("%Y-%m-%dT%H:%M"))
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Spring, moved" and draft.status == CampaignStatus.SCHEDULED
    assert abs(draft.scheduled_at - moved.replace(second=0, microsecond=0)) < dt.timedelta(
        seconds=1
    )

    Campaign.objects.filter(pk=draft.pk).update(scheduled_at=timezone.now())
    run_pump()  # starts it
    draft.refresh_from_db()
    assert draft.status in {CampaignStatus.SENDING, CampaignStatus.SENT}
    with pytest.raises(ValidationError, match="has not started sending"):
        update_campaign(
            draft,
            actor=owner,
            name="Too late",
            segment=draft.segment,
            template=draft.variants.get(label="A").template,
        )
    response = client.post(url, _form(draft, name="Too late"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Spring, moved"


def test_cancelling_a_scheduled_campaign_sends_nothing(owner, draft, smtp_sink):
    consenting_person()
    send_campaign(draft, actor=owner, at=timezone.now() + dt.timedelta(hours=1))
    page = client_for(owner).get(reverse("campaign", args=[draft.pk])).content.decode()
    assert "Edit the campaign" in page and "Cancel the campaign" in page
    response = client_for(owner).post(reverse("campaign_cancel", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.STOPPED
    assert "Cancelled by" in draft.stopped_reason
    Campaign.objects.filter(pk=draft.pk).update(scheduled_at=timezone.now())
    run_pump()
    assert smtp_sink.messages == []
    assert not Delivery.objects.filter(campaign=draft).exists()
    # Cancelling twice, or a campaign that started, changes nothing.
    assert cancel_campaign(draft, actor=owner) is False


def test_read_only_can_neither_edit_nor_cancel(read_only, draft):
    client = client_for(read_only)
    edit = reverse("campaign_edit", args=[draft.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, _form(draft, name="Hijacked")).status_code == 403
    assert client.post(reverse("campaign_cancel", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert (draft.name, draft.status) == ("Spring", CampaignStatus.DRAFT)
    page = client.get(reverse("campaign", args=[draft.pk])).content.decode()
    assert "Edit the campaign" not in page and "Cancel the campaign" not in page
