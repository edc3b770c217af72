"""The activity log is append-only and services write it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thrive.contacts import services
from thrive.contacts.models import (
    Activity,
    AppendOnlyError,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Referral,
)
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_logging_a_call_records_associate_channel_and_duration(member):
    person = PersonFactory()
    call = services.log_interaction(
        person, "call", actor=member, subject="Wholesale tasting", duration_minutes=25
    )
    assert (call.associate, call.channel, call.duration_minutes) == (member, "phone", 25)
    assert person.activities.filter(kind="call").get() == call


def test_activities_cannot_be_edited_or_deleted(member):
    entry = services.log_interaction(PersonFactory(), "note", actor=member, body="Prefers decaf")
    entry.subject = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Activity.objects.filter(pk=entry.pk).update(subject="changed")
    with pytest.raises(AppendOnlyError):
        Activity.objects.filter(pk=entry.pk).delete()
    assert Activity.objects.get(pk=entry.pk).body == "Prefers decaf"


def test_a_negative_duration_is_refused(member):
    with pytest.raises(ValidationError, match="negative"):
        services.log_interaction(PersonFactory(), "call", actor=member, duration_minutes=-5)


def test_orders_cannot_be_logged_by_hand(member):
    with pytest.raises(ValidationError):
        services.log_interaction(PersonFactory(), "order", actor=member)


def test_read_only_associates_cannot_log_anything(read_only):
    with pytest.raises(PermissionDenied):
        services.log_interaction(PersonFactory(), "note", actor=read_only, body="x")


def test_consent_keeps_evidence_and_withdrawal_is_honoured(member):
    person = PersonFactory()
    consent = services.grant_consent(
        person, ConsentPurpose.EMAIL_MARKETING, actor=None, method=ConsentMethod.WEB_FORM,
        source_text="Yes, send me the roast calendar", ip_address="203.0.113.7",
    )  # fmt: skip
    assert services.has_consent(person, ConsentPurpose.EMAIL_MARKETING)
    again = services.grant_consent(
        person, ConsentPurpose.EMAIL_MARKETING, actor=None, method=ConsentMethod.WEB_FORM,
        source_text="Yes, send me the roast calendar",
    )  # fmt: skip
    assert again.pk == consent.pk
    assert services.withdraw_consent(person, ConsentPurpose.EMAIL_MARKETING, actor=None)
    assert not services.has_consent(person, ConsentPurpose.EMAIL_MARKETING)
    stored = Consent.objects.get(pk=consent.pk)
    assert stored.ip_address == "203.0.113.7" and stored.withdrawn_at is not None
    kinds = list(
        person.activities.filter(kind="consent_change").values_list("data__action", flat=True)
    )
    assert sorted(kinds) == ["granted", "withdrawn"]


def test_consent_needs_the_words_the_person_agreed_to(member):
    with pytest.raises(ValidationError, match="words"):
        services.grant_consent(
            PersonFactory(), "email_marketing", actor=member, method="web_form", source_text=" "
        )


def test_a_person_is_referred_once_and_never_by_themselves(member):
    a, b, c = PersonFactory(), PersonFactory(), PersonFactory()
    services.record_referral(a, b, actor=member)
    assert services.record_referral(a, b, actor=member) == Referral.objects.get()
    with pytest.raises(ValidationError, match="already referred"):
        services.record_referral(c, b, actor=member)
    with pytest.raises(ValidationError):
        services.record_referral(a, a, actor=member)
    assert a.activities.filter(kind="referral").count() == 1
    assert b.activities.filter(kind="referral").count() == 1


def test_tags_are_case_insensitive_and_logged(member):
    person = PersonFactory()
    assert services.add_tag(person, "Wholesale", actor=member)
    assert not services.add_tag(person, "wholesale", actor=member)
    assert services.remove_tag(person, "WHOLESALE", actor=member)
    assert person.activities.filter(kind="tag_change").count() == 2
