"""The demo shows the journey having happened: ideas with votes (some shipped), a sent A/B
campaign with a holdout, finished tasks and detractor follow-ups, staff outside the
funnel and a channel for every client."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from thrive.accounts.models import Associate, Business
from thrive.analytics.dashboard import _funnel
from thrive.automations.models import Workflow, WorkflowStatus
from thrive.contacts.models import (
    Activity,
    Consent,
    Person,
    PersonRole,
    StageChange,
)
from thrive.contacts.queries import ecosystem_counts
from thrive.contacts.services import create_person
from thrive.demo import build, catalog, journey, proof
from thrive.outreach.models import Campaign, CampaignStatus, Delivery, DeliveryStatus
from thrive.outreach.reports import numbers
from thrive.tasks.models import Task, TaskStatus
from thrive.voice.models import Idea, IdeaStatus, SurveyResponse, Vote
from thrive.voice.queries import idea_time_to_market

PEOPLE, SEED, AS_OF = 600, 11, "2026-06-30"
END = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[None]:
    data_dir = tmp_path_factory.mktemp("demo-proof")
    args = [f"--people={PEOPLE}", f"--seed={SEED}", f"--as-of={AS_OF}", "--no-progress"]
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(DATA_DIR=data_dir, PASSWORD_HASHERS=fast):
        call_command("demo", *args, "--reset", stdout=io.StringIO(), stderr=io.StringIO())
        yield
        build.flush_business_data()
        Business.objects.all().delete()
        with connection.cursor() as cursor:  # the ORM delete would visit every related app
            marks = ", ".join(["%s"] * len(build.DEMO_USERNAMES))
            cursor.execute(
                f"DELETE FROM {Associate._meta.db_table} WHERE username IN ({marks})",  # noqa: S608
                build.DEMO_USERNAMES,
            )


pytestmark = pytest.mark.django_db


def test_customers_from_several_stages_and_channels_voted_for_ideas(demo: None) -> None:
    assert Idea.objects.count() >= 6
    votes = Vote.objects.select_related("person")
    assert {v.person.stage for v in votes} >= {"prospect", "client", "advocate", "lost"}
    assert len({v.person.acquisition_channel_id for v in votes}) >= 4
    assert not votes.filter(person__roles__role="associate").exists()
    # Every vote is on its voter's timeline, as the idea board writes it.
    on_timeline = Activity.objects.filter(kind="idea_vote").values_list("person_id", "ref")
    assert {(v.person_id, f"idea:{v.idea_id}") for v in votes} == set(on_timeline)


def test_some_ideas_shipped_with_a_public_note_so_time_to_market_has_a_value(demo: None) -> None:
    done = Idea.objects.filter(status=IdeaStatus.DONE)
    assert done.count() >= 2
    for idea in done:
        change = idea.status_changes.get(to_status=IdeaStatus.DONE)
        assert change.public_note and change.changed_at == idea.done_at > idea.created_at
        assert idea.done_at < END
        # Voters who asked to hear back were told, by a message recorded as sent.
        told = Delivery.objects.filter(idempotency_key__startswith=f"idea:{idea.pk}:status:")
        assert told.count() == change.voters_notified > 0
        assert not told.exclude(status=DeliveryStatus.SENT).exists()
    ttm = idea_time_to_market(now=END)
    assert ttm.median_days is not None and ttm.median_days > 0


def test_a_sent_campaign_shows_its_ab_test_and_holdout(demo: None) -> None:
    campaign = Campaign.objects.get(name=proof.CAMPAIGN)
    assert campaign.status == CampaignStatus.SENT and campaign.finished_at < END
    subjects = {v.label: v.subject for v in campaign.variants.all()}
    assert set(subjects) == {"A", "B"} and subjects["B"] == proof.SUBJECT_B
    deliveries = Delivery.objects.filter(campaign=campaign)
    per_variant = numbers.by(deliveries, "variant")
    holdout = per_variant.pop(None)
    assert holdout["held_out"] > 0 and holdout["sent"] == 0
    assert len(per_variant) == 2
    for row in per_variant.values():
        assert row["sent"] > 0 and 0 < row["opened"] <= row["sent"]
        assert row["clicked"] <= row["opened"]
    # Nothing is left for the real sender: every message was sent or skipped with a reason.
    assert not deliveries.filter(status__in=["queued", "deferred", "sending"]).exists()
    assert not deliveries.filter(sent_at__gte=END).exists()
    assert not deliveries.filter(opened_at__gte=END).exists()


def test_the_campaign_went_only_to_consenting_people_and_is_on_their_timelines(
    demo: None,
) -> None:
    sent = Delivery.objects.filter(campaign__name=proof.CAMPAIGN, status=DeliveryStatus.SENT)
    for delivery in sent:
        assert Consent.objects.filter(
            person=delivery.person_id, purpose="email_marketing", granted_at__lte=delivery.sent_at
        ).exists()
        assert delivery.subject and delivery.html_body
    refs = set(
        Activity.objects.filter(kind="email", direction="outbound", data__event="sent")
        .filter(ref__in=[f"delivery:{pk}" for pk in sent.values_list("pk", flat=True)])
        .values_list("ref", flat=True)
    )
    assert len(refs) == sent.count()
    skipped = Delivery.objects.filter(campaign__name=proof.CAMPAIGN, status="skipped")
    assert set(skipped.values_list("skip_reason", flat=True)) <= {
        "holdout", "no_consent", "suppressed", "expired", "no_email",
    }  # fmt: skip


def test_detractors_get_follow_ups_from_customer_voice_some_done_some_open(demo: None) -> None:
    workflow = Workflow.objects.get(name=journey.NPS_WORKFLOW)
    assert workflow.status == WorkflowStatus.ACTIVE
    follow_ups = Task.objects.filter(title__startswith="Call ", title__contains="scored")
    assert follow_ups.filter(status=TaskStatus.DONE).exists()
    assert follow_ups.filter(status=TaskStatus.OPEN).exists()
    for task in follow_ups:
        answer = SurveyResponse.objects.filter(person=task.person).order_by("-answered_at")[0]
        assert answer.score <= 6 and task.assignee.username == journey.BARISTA
        assert task.due_at == answer.answered_at + dt.timedelta(hours=48)
        if task.status == TaskStatus.DONE:
            assert answer.answered_at < task.completed_at <= END and task.notes


def test_the_done_list_has_finished_tasks(demo: None) -> None:
    assert Task.objects.filter(status=TaskStatus.DONE, completed_at__lt=END).count() >= 2


def test_staff_are_associates_with_no_stage_history(demo: None) -> None:
    staff = Person.objects.filter(roles__role="associate")
    assert staff.count() == len(catalog.STAFF)
    assert not StageChange.objects.filter(person__in=staff).exists()
    counts = ecosystem_counts()
    customers = Person.objects.exclude(roles__role="associate")
    assert sum(counts[s] for s in ("suspect", "prospect", "client", "advocate", "lost")) == (
        customers.count()
    )
    assert counts["associate"] == len(catalog.STAFF)


def test_a_new_associate_is_counted_neither_in_the_funnel_nor_the_stages(demo: None) -> None:
    before, funnel_before = ecosystem_counts(), _funnel(END.date() + dt.timedelta(days=1))
    person = create_person(actor=None, first_name="Nora", last_name="New", email="nora@k.example")
    PersonRole.objects.create(person=person, role="associate")
    StageChange.objects.filter(person=person).update(changed_at=END - dt.timedelta(days=3))
    after, funnel_after = ecosystem_counts(), _funnel(END.date() + dt.timedelta(days=1))
    assert after["suspect"] == before["suspect"]
    assert after["associate"] == before["associate"] + 1
    assert funnel_after["reached"] == funnel_before["reached"]


def test_every_client_came_through_a_channel(demo: None) -> None:
    buyers = Person.objects.filter(orders__isnull=False).distinct()
    assert buyers.exists()
    assert not buyers.filter(acquisition_channel__isnull=True).exists()
    wholesale = Person.objects.filter(roles__role="partner")
    assert set(wholesale.values_list("acquisition_channel__name", flat=True)) == {"Direct sales"}


def test_the_demo_business_works_in_portland_time(demo: None) -> None:
    zones = set(Associate.objects.filter(username__in=build.DEMO_USERNAMES)
                .values_list("time_zone", flat=True))  # fmt: skip
    assert zones == {catalog.BUSINESS_TIME_ZONE}
    business = Business.objects.get()
    if hasattr(business, "time_zone"):  # the in-app business settings
        assert business.time_zone == catalog.BUSINESS_TIME_ZONE


def test_the_cross_sell_campaign_went_to_bean_buyers_without_a_grinder_with_a_holdout(
    demo: None,
) -> None:
    from thrive.analytics.models import BasketRule
    from thrive.commerce.models import Order, OrderLine
    from thrive.demo import cross_sell
    from thrive.outreach.reports.money import campaign_money

    campaign = Campaign.objects.get(name=cross_sell.CAMPAIGN)
    assert campaign.segment.name == cross_sell.SEGMENT
    assert campaign.status == CampaignStatus.SENT and campaign.started_at < END
    deliveries = Delivery.objects.filter(campaign=campaign)
    held_out = deliveries.filter(skip_reason="holdout")
    sent = deliveries.filter(status=DeliveryStatus.SENT)
    assert held_out.exists() and sent.exists()
    # Nobody in either arm had bought a grinder by the send; all had bought beans.
    people = list(deliveries.values_list("person_id", flat=True))
    before = OrderLine.objects.filter(
        order__person_id__in=people, order__ordered_at__lt=campaign.started_at
    )
    assert not before.filter(product__sku__in=cross_sell.GRINDERS).exists()
    beans = before.filter(product__category__in=cross_sell.BEANS)
    assert set(beans.values_list("order__person_id", flat=True)) == set(people)
    # Some readers who opened it bought the grinder afterwards, before the demo's "now".
    bought = Order.objects.filter(number__startswith="CS-")
    assert bought.exists() and not bought.filter(ordered_at__gte=END).exists()
    assert set(bought.values_list("person_id", flat=True)) <= set(
        sent.filter(opened_at__isnull=False).values_list("person_id", flat=True)
    )
    money = campaign_money(campaign, days=30, now=END)
    assert money is not None and money.control_kind == "holdout"
    assert money.rows[0].uplift.control.people == held_out.count()
    assert money.rows[0].uplift.treated.buyers > 0
    # The basket rules are stored for the person pages.
    assert BasketRule.objects.exists()
