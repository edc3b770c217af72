"""merge_people keeps every activity, order, consent, stage record, tag, role and referral."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from thrive.commerce.models import Order, Subscription
from thrive.commerce.services import LineInput, record_order, start_subscription
from thrive.contacts import services
from thrive.contacts.models import (
    Activity,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    MergeRecord,
    Person,
    PersonRole,
    Referral,
    RelationshipRole,
    Stage,
    StageChange,
)
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(member):
    survivor = PersonFactory(first_name="Ann", last_name="", email="ann@example.com", phone="")
    duplicate = PersonFactory(
        first_name="Annie", last_name="Baker", email="ann.baker@example.com", phone="+14155550123",
        first_seen_at=timezone.now() - dt.timedelta(days=900),
    )  # fmt: skip
    record_order(duplicate, actor=member, number="D-1", lines=[LineInput(2, "9.50")])
    record_order(survivor, actor=member, number="S-1", lines=[LineInput(1, "12.00")])
    start_subscription(
        duplicate, actor=member, plan="Roaster's Choice", monthly_amount="22.00",
        started_on=dt.date(2025, 1, 1),
    )  # fmt: skip
    services.log_interaction(duplicate, "call", actor=member, subject="Asked about decaf")
    services.add_tag(duplicate, "espresso lover", actor=member)
    services.add_tag(survivor, "Espresso Lover", actor=member)
    services.add_tag(duplicate, "wholesale", actor=member)
    services.add_role(duplicate, RelationshipRole.REFERRAL_PARTNER, actor=member)
    for who in (survivor, duplicate):
        services.grant_consent(
            who, ConsentPurpose.EMAIL_MARKETING, actor=member, method=ConsentMethod.WEB_FORM,
            source_text="Send me roasting news",
        )  # fmt: skip
    friend = PersonFactory(email="friend@example.com")
    services.record_referral(duplicate, friend, actor=member)
    return survivor, duplicate, friend


def test_merge_keeps_every_order_activity_and_stage_record(pair, member):
    survivor, duplicate, _ = pair
    activities = Activity.objects.filter(person__in=[survivor, duplicate]).count()
    stages = StageChange.objects.filter(person__in=[survivor, duplicate]).count()
    duplicate_id = duplicate.pk
    services.merge_people(survivor, duplicate, actor=member)
    assert not Person.objects.filter(pk=duplicate_id).exists()
    assert set(Order.objects.filter(person=survivor).values_list("number", flat=True)) == {
        "D-1", "S-1",
    }  # fmt: skip
    assert Subscription.objects.filter(person=survivor).count() == 1
    # Every activity moved, plus one for the merge itself.
    assert Activity.objects.filter(person=survivor).count() == activities + 1
    assert StageChange.objects.filter(person=survivor).count() == stages


def test_merge_keeps_consents_tags_roles_and_referrals(pair, member):
    survivor, duplicate, friend = pair
    services.merge_people(survivor, duplicate, actor=member)
    consents = Consent.objects.filter(person=survivor, purpose=ConsentPurpose.EMAIL_MARKETING)
    assert consents.count() == 2
    assert consents.filter(withdrawn_at__isnull=True).count() == 1
    tags = sorted(t.lower() for t in survivor.tags.values_list("name", flat=True))
    assert tags == ["espresso lover", "wholesale"]
    assert PersonRole.objects.filter(person=survivor, role="referral_partner").exists()
    assert Referral.objects.get(referred=friend).referrer == survivor


def test_merge_fills_blank_fields_and_keeps_the_earliest_first_contact(pair, member):
    survivor, duplicate, _ = pair
    earliest = duplicate.first_seen_at
    services.merge_people(survivor, duplicate, actor=member)
    survivor.refresh_from_db()
    assert survivor.email == "ann@example.com"
    assert survivor.last_name == "Baker"
    assert survivor.phone == "+14155550123"
    assert survivor.first_seen_at == earliest


def test_merge_is_recorded_with_a_snapshot_and_counts(pair, member):
    survivor, duplicate, _ = pair
    duplicate_id = duplicate.pk
    record = services.merge_people(survivor, duplicate, actor=member)
    assert MergeRecord.objects.get() == record
    assert record.merged_person_id == duplicate_id
    assert record.merged_snapshot["email"] == "ann.baker@example.com"
    assert record.moved_counts["orders"] == 1
    assert record.actor == member


def test_merge_takes_the_stage_furthest_along_the_funnel(member):
    survivor = PersonFactory(stage=Stage.PROSPECT)
    duplicate = PersonFactory()
    services.change_stage(duplicate, Stage.ADVOCATE, actor=member)
    services.merge_people(survivor, duplicate, actor=member)
    survivor.refresh_from_db()
    assert survivor.stage == Stage.ADVOCATE
    assert StageChange.objects.filter(person=survivor).latest("id").cause == "merge"


def test_a_referral_between_the_two_merged_people_is_dropped_not_made_self_referral(member):
    survivor, duplicate = PersonFactory(), PersonFactory()
    services.record_referral(survivor, duplicate, actor=member)
    record = services.merge_people(survivor, duplicate, actor=member)
    assert not Referral.objects.exists()
    assert record.moved_counts["self_referrals_dropped"] == 1


def test_merging_a_person_with_themselves_is_refused(member):
    person = PersonFactory()
    with pytest.raises(ValidationError):
        services.merge_people(person, person, actor=member)


def test_read_only_associate_cannot_merge(read_only):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.merge_people(PersonFactory(), PersonFactory(), actor=read_only)


def test_merge_keeps_one_place_when_both_are_in_the_same_sequence(member):
    from thrive.outreach.models import EmailTemplate, Sequence, SequenceEnrollment, SequenceStep
    from thrive.outreach.services import enroll

    welcome = Sequence.objects.create(name="Welcome series")
    hello = EmailTemplate.objects.create(name="Hello", subject="Hi", text_body="Hello there")
    SequenceStep.objects.create(sequence=welcome, position=1, delay_hours=0, template=hello)
    survivor, duplicate = PersonFactory(), PersonFactory()
    enroll(survivor, welcome)
    enroll(duplicate, welcome)
    record = services.merge_people(survivor, duplicate, actor=member)
    assert SequenceEnrollment.objects.filter(person=survivor, sequence=welcome).count() == 1
    assert record.moved_counts.get("outreach.sequenceenrollment_dropped_as_duplicate") == 1, (
        record.moved_counts
    )


def test_merge_keeps_tasks_from_other_apps(member):
    from thrive.tasks.models import Task
    from thrive.tasks.services import create_task

    survivor, duplicate = PersonFactory(), PersonFactory()
    task = create_task(actor=member, title="Call back about the grinder", person=duplicate)
    record = services.merge_people(survivor, duplicate, actor=member)
    assert Task.objects.get(pk=task.pk).person == survivor
    assert record.moved_counts["tasks.task"] == 1
