"""The lead model's fairness page: held-out predictions by group, for every role."""

from __future__ import annotations

import pytest

from thrive.conftest import client_for
from thrive.contacts.models import CustomFieldDefinition, Person
from thrive.insights.fairness import fairness_report
from thrive.prospects import queries
from thrive.prospects.leads import train_and_score
from thrive.prospects.models import LeadModelStatus, LeadTestPrediction
from thrive.prospects.tests.test_leads import NOW, _history

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained():
    """The lead history, every third person marked "Yes" in a sensitive field."""
    _history()
    field = CustomFieldDefinition.objects.create(
        entity="person", key="health", label="Health condition", field_type="choice",
        choices=["Yes", "No"],
    )  # fmt: skip
    for i, person in enumerate(Person.objects.order_by("pk")):
        person.custom_fields = {"health": "Yes" if i % 3 == 0 else "No"}
        person.country = "DE" if i % 2 else "FR"
        person.save(update_fields=["custom_fields", "country"])
    model = train_and_score(now=NOW)
    assert model.status == LeadModelStatus.READY, model.note
    return field


def test_the_model_keeps_its_held_out_predictions_with_their_outcomes(trained):
    kept = LeadTestPrediction.objects.all()
    model = kept.first().model
    assert kept.count() == model.test_rows
    assert kept.filter(converted=True).count() == model.test_positives
    assert {k.model_id for k in kept} == {model.pk}
    train_and_score(now=NOW)  # a new fit replaces them
    assert LeadTestPrediction.objects.exclude(model=model).count() == model.test_rows
    assert not LeadTestPrediction.objects.filter(model=model).exists()


def test_the_report_by_a_sensitive_field_matches_the_held_out_rows(trained):
    data = queries.fairness_input()
    assert data.outcomes is not None
    attribute = next(a for a in queries.fairness_attributes() if a.key == f"field:{trained.pk}")
    assert attribute.sensitive
    report = fairness_report(attribute.label, queries.group_values(attribute, data.person_ids),
                             data.predicted, data.outcomes)  # fmt: skip
    yes = next(g for g in report.groups if g.value == "Yes")
    rows = list(LeadTestPrediction.objects.filter(person__custom_fields__health="Yes"))
    assert yes.count == len(rows)
    assert yes.mean_predicted == pytest.approx(sum(r.probability for r in rows) / len(rows))
    assert yes.actual_rate == pytest.approx(sum(r.converted for r in rows) / len(rows))


def test_every_role_sees_the_fairness_page_and_the_sensitive_field_by_default(trained, persona):
    page = client_for(persona).get("/reach/fairness/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "By health condition" in html and "By acquisition channel" in html
    assert "held-out test period" in html and "Vs best" in html
    assert "four-fifths" in html


def test_the_owner_chooses_what_to_compare_by(trained, owner):
    html = client_for(owner).get("/reach/fairness/?a=country").content.decode()
    assert "By country" in html and "By health condition" not in html
    assert ">DE<" in html and ">FR<" in html


def test_an_unknown_attribute_is_answered_with_a_clear_message(trained, owner):
    page = client_for(owner).get("/reach/fairness/?a=field:99999&a=country")
    assert page.status_code == 400
    html = page.content.decode()
    assert "There is no attribute “field:99999” to compare by" in html
    assert "By country" in html


def test_writes_are_refused_on_the_fairness_page(owner):
    assert client_for(owner).post("/reach/fairness/").status_code == 405


def test_without_a_model_the_page_says_so(owner):
    html = client_for(owner).get("/reach/fairness/").content.decode()
    assert "There is no lead model yet" in html
