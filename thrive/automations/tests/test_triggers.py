"""Each trigger enrols the right people, once, and only from when it was switched on."""

from __future__ import annotations

import datetime as dt

import pytest

from thrive.automations import engine, services
from thrive.automations.models import Enrollment
from thrive.automations.scans import SEGMENT_SCAN_EVERY, scan_triggers
from thrive.contacts import services as contacts
from thrive.contacts.models import Activity
from thrive.leadforms.models import LeadForm
from thrive.segments.models import Segment
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

STEPS = [{"kind": "wait", "days": 1}]


def enrolled(workflow) -> set[int]:
    return set(Enrollment.objects.filter(workflow=workflow).values_list("person_id", flat=True))


def test_stage_changed_fires_only_for_the_stage_named(build):
    workflow = build("stage_changed", STEPS, trigger_config={"to": ["client"]})
    client, prospect = PersonFactory(), PersonFactory()
    contacts.change_stage(client, "client", actor=None)
    contacts.change_stage(prospect, "prospect", actor=None)
    engine.process_activities()
    assert enrolled(workflow) == {client.pk}


def test_tag_added_and_removed_match_the_tag_ignoring_case(build):
    added = build("tag_added", STEPS, trigger_config={"tag": "VIP"})
    removed = build("tag_removed", STEPS, trigger_config={"tag": "vip"})
    ann, bob = PersonFactory(), PersonFactory()
    contacts.add_tag(ann, "vip", actor=None)
    contacts.add_tag(bob, "Other", actor=None)
    contacts.remove_tag(ann, "VIP", actor=None)
    engine.process_activities()
    assert enrolled(added) == {ann.pk}
    assert enrolled(removed) == {ann.pk}


def test_order_placed_ignores_refunds_and_small_orders(build):
    workflow = build("order_placed", STEPS, trigger_config={"min_total": 25})
    big, small, refunded = PersonFactory(), PersonFactory(), PersonFactory()
    contacts.record_activity(big, "order", data={"order": 1, "total": "30.00", "currency": "EUR"})
    contacts.record_activity(small, "order", data={"order": 2, "total": "9.50", "currency": "EUR"})
    contacts.record_activity(refunded, "order", data={"order": 3, "refund": "30.00"})
    engine.process_activities()
    assert enrolled(workflow) == {big.pk}


def test_form_submitted_matches_the_form(build):
    # The trigger picks one of the business's forms (a form's slug it does not know is refused).
    LeadForm.objects.create(name="Newsletter", slug="newsletter")
    workflow = build("form_submitted", STEPS, trigger_config={"form": "newsletter"})
    yes, no = PersonFactory(), PersonFactory()
    contacts.record_activity(yes, "form_submission", data={"form": "newsletter"})
    contacts.record_activity(no, "form_submission", data={"form": "contact"})
    engine.process_activities()
    assert enrolled(workflow) == {yes.pk}


def test_survey_answered_matches_a_score_range(build):
    detractors = build("survey_answered", STEPS, trigger_config={"score_max": 6})
    low, high = PersonFactory(), PersonFactory()
    contacts.record_activity(low, "survey_answer", data={"survey": 1, "score": 3})
    contacts.record_activity(high, "survey_answer", data={"survey": 1, "score": 10})
    engine.process_activities()
    assert enrolled(detractors) == {low.pk}


def test_idea_status_changed_matches_the_idea_apps_activity(build):
    # The matching rule on its own; test_survey_and_sequence_steps drives it from the
    # ideas app's real status change.
    workflow = build("idea_status_changed", STEPS, trigger_config={"status": "done"})
    voter, other = PersonFactory(), PersonFactory()
    Activity.objects.create(person=voter, kind="idea_status", data={"idea": 4, "status": "done"})
    Activity.objects.create(person=other, kind="idea_status", data={"idea": 4, "status": "planned"})
    engine.process_activities()
    assert enrolled(workflow) == {voter.pk}


def test_extra_data_must_match_too(build):
    workflow = build("order_placed", STEPS, trigger_config={"data": {"currency": "USD"}})
    usd, eur = PersonFactory(), PersonFactory()
    contacts.record_activity(usd, "order", data={"order": 1, "total": "5", "currency": "USD"})
    contacts.record_activity(eur, "order", data={"order": 2, "total": "5", "currency": "EUR"})
    engine.process_activities()
    assert enrolled(workflow) == {usd.pk}


def test_activities_from_before_switching_on_do_not_fire(build):
    early = PersonFactory()
    contacts.change_stage(early, "client", actor=None)
    workflow = build("stage_changed", STEPS, trigger_config={"to": ["client"]})
    late = PersonFactory()
    contacts.change_stage(late, "client", actor=None)
    engine.process_activities()
    assert enrolled(workflow) == {late.pk}


def test_draft_and_paused_workflows_do_not_enrol(build, owner):
    draft = build("tag_added", STEPS, trigger_config={"tag": "x"}, active=False)
    paused = build("tag_added", STEPS, trigger_config={"tag": "x"})
    services.pause_workflow(paused, actor=owner)
    contacts.add_tag(PersonFactory(), "x", actor=None)
    engine.process_activities()
    assert enrolled(draft) == enrolled(paused) == set()


def test_anniversary_of_first_contact_in_the_business_zone(build, settings):
    settings.THRIVE_TIME_ZONE = "Europe/Berlin"
    workflow = build("date_anniversary", STEPS, trigger_config={"field": "first_seen_at"})
    # 23:30 UTC on 9 March is already 10 March in Berlin.
    berlin_tenth = PersonFactory(first_seen_at=dt.datetime(2021, 3, 9, 23, 30, tzinfo=dt.UTC))
    other_day = PersonFactory(first_seen_at=dt.datetime(2021, 3, 9, 12, 0, tzinfo=dt.UTC))
    this_year = PersonFactory(first_seen_at=dt.datetime(2030, 3, 10, 9, 0, tzinfo=dt.UTC))
    now = dt.datetime(2030, 3, 10, 12, 0, tzinfo=dt.UTC)
    scan_triggers(now=now)
    assert enrolled(workflow) == {berlin_tenth.pk}
    scan_triggers(now=now + dt.timedelta(hours=1))  # the same day is scanned once
    assert Enrollment.objects.filter(workflow=workflow).count() == 1
    assert other_day.pk not in enrolled(workflow) and this_year.pk not in enrolled(workflow)


def test_anniversary_of_a_date_custom_field_with_29_february(build):
    workflow = build("date_anniversary", STEPS, trigger_config={"field": "birthday"})
    leap = PersonFactory(custom_fields={"birthday": "1992-02-29"})
    PersonFactory(custom_fields={"birthday": "1990-03-01"})
    scan_triggers(now=dt.datetime(2031, 2, 28, 12, 0, tzinfo=dt.UTC))
    assert enrolled(workflow) == {leap.pk}


def test_segment_entered_and_left_after_a_baseline_scan(build, owner):
    segment = Segment.objects.create(
        name="VIPs",
        rules={"match": "all", "rules": [{"field": "tag", "op": "has", "value": "VIP"}]},
    )
    entered = build("segment_entered", STEPS, trigger_config={"segment": segment.pk})
    left = build("segment_left", STEPS, trigger_config={"segment": segment.pk})
    already, newcomer = PersonFactory(), PersonFactory()
    contacts.add_tag(already, "VIP", actor=None)
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    scan_triggers(now=now)  # baseline: nobody enrolled for being there already
    assert enrolled(entered) == enrolled(left) == set()
    contacts.add_tag(newcomer, "VIP", actor=None)
    contacts.remove_tag(already, "VIP", actor=None)
    scan_triggers(now=now + SEGMENT_SCAN_EVERY)
    assert enrolled(entered) == {newcomer.pk}
    assert enrolled(left) == {already.pk}


def test_manual_enrolment_by_an_associate(build, member):
    workflow = build("manual", STEPS)
    person = PersonFactory()
    enrollment = services.enroll_person(workflow, person, actor=member)
    assert enrollment.context["trigger"]["manual"] is True
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.enroll_person(workflow, person, actor=member)
