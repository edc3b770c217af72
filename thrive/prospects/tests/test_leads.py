import datetime as dt

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from thrive.conftest import client_for
from thrive.contacts.models import ActivityKind, Person, Stage
from thrive.contacts.services import change_stage, create_person, record_activity
from thrive.prospects.leads import (
    cutoffs,
    load_people,
    moment,
    open_leads,
    reliability,
    train_and_score,
)
from thrive.prospects.models import LeadModelStatus, LeadScore
from thrive.segments.rules import compile_rules, validate_rules

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def _matching(rules):
    validate_rules(rules)
    return Person.objects.filter(compile_rules(rules))


def _history(n: int = 160) -> None:
    """Every other lead has a meeting ten days in and becomes a client 15 days later; the
    others only get a note. Four fresh leads are still open today."""
    for i in range(n):
        seen = NOW - dt.timedelta(days=30 + 3 * i)
        person = create_person(actor=None, first_name=f"L{i}", email=f"l{i}@example.com",
                               first_seen_at=seen)  # fmt: skip
        if i % 2 == 0:
            record_activity(person, ActivityKind.MEETING, occurred_at=seen + dt.timedelta(days=10))
            change_stage(person, Stage.CLIENT, actor=None, at=seen + dt.timedelta(days=25))
        else:
            record_activity(person, ActivityKind.NOTE, occurred_at=seen + dt.timedelta(days=10))
    for i, meet in enumerate([True, True, False, False]):
        seen = NOW - dt.timedelta(days=12)
        person = create_person(actor=None, first_name=f"Fresh{i}", email=f"f{i}@example.com",
                               first_seen_at=seen)  # fmt: skip
        kind = ActivityKind.MEETING if meet else ActivityKind.NOTE
        record_activity(person, kind, occurred_at=seen + dt.timedelta(days=2))


def test_open_leads_at_a_cutoff_are_known_and_not_yet_won_or_lost():
    _history(6)
    people = load_people()
    at = moment(NOW - dt.timedelta(days=40))
    names = dict(Person.objects.values_list("pk", "first_name"))
    open_names = {names[int(p)] for p in people.ids[open_leads(people, at)]}
    assert "L0" not in open_names  # not known yet
    assert "L1" not in open_names  # seen NOW-33: not known at NOW-40
    assert "L4" in open_names  # seen NOW-42, wins at NOW-17: still open at NOW-40
    assert "L5" in open_names  # seen NOW-45, never wins
    assert all(c <= NOW - dt.timedelta(days=90) for c in cutoffs(people, NOW, 90))


def test_the_model_learns_from_history_and_scores_todays_open_leads():
    _history()
    model = train_and_score(now=NOW)
    assert model.status == LeadModelStatus.READY, model.note
    assert model.auc > 0.8
    assert 0 <= model.brier < 0.25
    table = model.metrics["reliability"]
    assert sum(r["count"] for r in table) == model.test_rows
    assert sum(r["positives"] for r in table) == model.test_positives
    scores = {s.person.first_name: s for s in LeadScore.objects.select_related("person")}
    assert set(scores) >= {"Fresh0", "Fresh1", "Fresh2", "Fresh3"}
    assert scores["Fresh0"].probability > scores["Fresh2"].probability
    assert any("meeting in the last 90 days" in r for r in scores["Fresh0"].reasons)


def test_too_little_history_is_said_not_guessed():
    create_person(actor=None, first_name="Only", email="only@example.com",
                  first_seen_at=NOW - dt.timedelta(days=400))  # fmt: skip
    model = train_and_score(now=NOW)
    assert model.status == LeadModelStatus.TOO_LITTLE_DATA
    assert "needs at least" in model.note
    assert not LeadScore.objects.exists()


def test_reliability_deciles_compare_predicted_and_observed_by_hand():
    p = np.array([0.1, 0.2, 0.3, 0.4])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    rows = reliability(p, y, bins=2)
    assert rows == [
        {"predicted": pytest.approx(0.15), "observed": 0.0, "count": 2, "positives": 0},
        {"predicted": pytest.approx(0.35), "observed": 1.0, "count": 2, "positives": 2},
    ]
    assert roc_auc_score(y, p) == 1.0


def test_lead_score_is_a_segment_rule():
    _history()
    train_and_score(now=NOW)
    threshold = 0.5
    expected = set(LeadScore.objects.filter(probability__gte=threshold)
                   .values_list("person_id", flat=True))  # fmt: skip
    rules = {"match": "all", "rules": [{"field": "lead_score", "op": "gte", "value": threshold}]}
    found = set(_matching(rules).values_list("pk", flat=True))
    assert found == expected and found
    below = {"match": "all", "rules": [{"field": "lead_score", "op": "lte", "value": threshold}]}
    assert not set(_matching(below).values_list("pk", flat=True)) & expected


def test_the_owner_sees_auc_and_calibration_and_a_member_sees_the_leads(owner, member):
    _history()
    train_and_score(now=NOW)
    page = client_for(owner).get("/reach/leads/").content.decode()
    assert "AUC" in page and "reliability" in page
    page = client_for(member).get("/reach/leads/").content.decode()
    assert "Fresh0" in page and "AUC" not in page


@pytest.mark.parametrize(
    ("probability", "shown"),
    [(0.999, "> 99%"), (0.99, "99%"), (0.456, "46%"), (0.004, "< 1%"), (None, "—")],
)
def test_a_chance_is_shown_without_claiming_certainty(probability, shown):
    from thrive.prospects.templatetags.prospects import chance

    assert chance(probability) == shown
