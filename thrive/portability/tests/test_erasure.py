"""Erasing a person removes their personal data everywhere and keeps anonymous aggregates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count, Sum

from thrive.accounts.models import Associate
from thrive.analytics.refresh import run_refresh
from thrive.contacts import services as contacts
from thrive.contacts.models import Person, Stage
from thrive.outreach.models import Suppression
from thrive.portability.erasure import erase_person
from thrive.portability.models import ErasureLog
from thrive.tasks.models import Task
from thrive.voice.models import Survey, SurveyInvite, SurveyResponse
from thrive.voice.services import comment_on_idea, submit_idea, vote_for_idea

from .conftest import AS_OF

pytestmark = pytest.mark.django_db

PHONE = "+15035550142"


def _mentions(needles: list[str]) -> dict[str, int]:
    """Rows in any column of any table of the database containing one of ``needles``
    (case-insensitive), found with plain SQL so the check does not share the code it
    checks."""
    qn = connection.ops.quote_name
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            for column in columns:
                for needle in needles:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {qn(table)} "  # noqa: S608 - names from introspection
                        f"WHERE LOWER(CAST({qn(column)} AS TEXT)) LIKE %s",
                        [f"%{needle.lower()}%"],
                    )
                    count = cursor.fetchone()[0]
                    if count:
                        found[f"{table}.{column} ~ {needle}"] = count
    return found


def _aggregates(person: Person) -> dict:
    orders = person.orders.aggregate(n=Count("id"), total=Sum("total"), refunded=Sum("refunded"))
    return {
        "orders": (orders["n"], str(orders["total"]), str(orders["refunded"])),
        "order_dates": list(person.orders.order_by("pk").values_list("ordered_at", flat=True)),
        "stages": list(
            person.stage_history.order_by("pk").values_list("from_stage", "to_stage", "changed_at")
        ),
        "activities": list(person.activities.order_by("pk").values_list("kind", "occurred_at")),
        "stage": person.stage,
        "channel": person.acquisition_channel_id,
        "votes": person.idea_votes.count(),
        "responses": list(person.survey_responses.values_list("score", flat=True)),
        "everyone": dict(Person.objects.values_list("stage").annotate(n=Count("id")).order_by()),
    }


def _dashboard() -> dict:
    payload = run_refresh(as_of=dt.date.fromisoformat(AS_OF)).payload
    return {k: v for k, v in payload.items() if k not in {"computed_at", "duration_seconds"}}


@pytest.fixture
def customer(demo_business, owner):
    """A demo customer with orders, given every kind of personal trace Thrive can hold."""
    person = (
        Person.objects.filter(stage=Stage.CLIENT, roles=None, associate_account=None)
        .exclude(email=None)
        .annotate(n=Count("orders"))
        .filter(n__gte=2)
        .order_by("pk")
        .first()
    )
    Person.objects.filter(pk=person.pk).update(phone=PHONE)
    person.refresh_from_db()
    name, email = person.full_name, person.email
    other = Person.objects.exclude(pk=person.pk).filter(roles=None).order_by("pk").first()
    contacts.log_interaction(
        person, "call", actor=owner, subject=f"Call with {name}",
        body=f"{name} prefers {email}, or call {PHONE}. Her dog is called Biscuit.",
    )  # fmt: skip
    contacts.log_interaction(
        other, "note", actor=owner, subject="Came in with a friend",
        body=f"Brought {name} ({email}) to the tasting.",
    )  # fmt: skip
    contacts.grant_consent(
        person, "email_marketing", actor=owner, method="web_form",
        source_text="Send me news and offers.", ip_address="203.0.113.9",
        source_url=f"https://kettle.example/join?email={email}",
    )  # fmt: skip
    Task.objects.create(title=f"Thank {name} for the referral", person=other, notes=PHONE)
    Task.objects.create(title="Send a sample", person=person, notes=f"Post to {name}")
    idea = submit_idea(person, title="Oat milk for the cold brew", body=f"— {name}")
    voter = Person.objects.exclude(pk__in=[person.pk, other.pk]).order_by("pk").first()
    vote_for_idea(voter, idea, notify=False)
    comment_on_idea(idea, body=f"Thanks, I'm {name} and I'd buy it weekly", person=person)
    survey = Survey.objects.order_by("pk").first()
    invite = SurveyInvite.objects.create(survey=survey, person=person, status="answered")
    SurveyResponse.objects.create(
        invite=invite, survey=survey, person=person, score=9, comment=f"Love it — {name}"
    )
    Suppression.objects.create(email=email, reason="unsubscribed", detail="one-click")
    LogEntry.objects.create(
        user=owner, content_type=ContentType.objects.get_for_model(Person),
        object_id=str(person.pk), object_repr=str(person), action_flag=CHANGE,
        change_message=f"Changed email to {email}",
    )  # fmt: skip
    return person


def test_erasure_leaves_no_trace_of_the_person_in_any_table(customer, owner):
    needles = [customer.full_name, customer.email, PHONE]
    assert len(_mentions(needles)) >= 10  # the traces the fixture left are really there
    before = _aggregates(customer)
    dashboard = _dashboard()

    log = erase_person(customer, actor=owner)

    assert _mentions(needles) == {}
    customer.refresh_from_db()
    assert _aggregates(customer) == before
    assert _dashboard() == dashboard
    assert (customer.first_name, customer.last_name, customer.email, customer.phone) == (
        "", "", None, "",
    )  # fmt: skip
    assert customer.custom_fields == {} and customer.organization_id is None
    assert set(customer.consents.values_list("ip_address", "source_url")) == {(None, "")}
    assert set(customer.survey_responses.values_list("comment", flat=True)) == {""}
    assert customer.ideas.count() == 0  # the idea stays on the board, without its author
    assert log.person_id == customer.pk and log.actor == owner
    assert log.changed["contacts.activity"] >= 2
    assert not Suppression.objects.filter(detail="one-click").exists()


def test_other_peoples_records_keep_their_text_around_the_erased_mention(customer, owner):
    erase_person(customer, actor=owner)
    note = Task.objects.get(title__startswith="Thank")
    assert note.title == "Thank [erased] for the referral"
    assert note.notes == "[erased]"


def test_only_an_owner_erases_and_only_once(customer, owner, member):
    with pytest.raises(PermissionDenied):
        erase_person(customer, actor=member)
    with pytest.raises(PermissionDenied):
        erase_person(customer, actor=None)
    erase_person(customer, actor=owner)
    with pytest.raises(ValidationError, match="already been erased"):
        erase_person(customer, actor=owner)
    assert ErasureLog.objects.count() == 1


def test_an_associate_is_not_erased_while_they_can_sign_in(demo_business, owner):
    staff = Associate.objects.exclude(person=None).order_by("pk").first()
    with pytest.raises(ValidationError, match=f"signs in to Thrive as {staff.username}"):
        erase_person(staff.person, actor=owner)
    assert Person.objects.get(pk=staff.person_id).email


def test_a_namesakes_email_is_not_touched(db, owner):
    ana = contacts.create_person(
        actor=owner, first_name="Ana", last_name="Ruiz", email="ana@kc.example"
    )
    hana = contacts.create_person(
        actor=owner, first_name="Hana", last_name="Lee", email="hana@kc.example"
    )
    contacts.log_interaction(
        hana, "note", actor=owner, subject="Friends", body="Knows ana@kc.example well."
    )
    erase_person(ana, actor=owner)
    hana.refresh_from_db()
    assert hana.email == "hana@kc.example"
    assert hana.activities.get(kind="note").body == "Knows [erased] well."
