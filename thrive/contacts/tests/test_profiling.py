"""Profiling that respects people: someone who declines personalisation and analytics has
no score, prediction or lead score anywhere, at once and after every later refresh, and the
pages say so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thrive.analytics import refresh
from thrive.analytics.models import AnalyticsRefresh, CustomerScore
from thrive.conftest import client_for
from thrive.contacts import profiling
from thrive.contacts import services as contacts
from thrive.contacts.models import Consent, ConsentMethod, ConsentPurpose
from thrive.prospects import leads
from thrive.testing.business import build_business
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
PROFILING = ConsentPurpose.PROFILING


def _refresh() -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refresh.run_refresh(AnalyticsRefresh.objects.create().pk, as_of=tomorrow)


def test_declining_is_the_last_word_until_they_consent_again(owner):
    never, granted = PersonFactory(), PersonFactory()
    contacts.grant_consent(granted, PROFILING, actor=owner, method="web_form", source_text="Yes")
    assert profiling.declined_ids() == set()
    assert profiling.decline(never, actor=owner, words="Said so on the phone")
    assert profiling.decline(granted, actor=owner)
    assert not profiling.decline(never, actor=owner), "a second refusal changes nothing"
    assert profiling.declined_ids() == {never.pk, granted.pk}
    refusal = Consent.objects.get(person=never)
    assert refusal.withdrawn_at == refusal.granted_at and "phone" in refusal.source_text
    assert not contacts.has_consent(granted, PROFILING)
    contacts.grant_consent(granted, PROFILING, actor=owner, method="verbal", source_text="OK now")
    assert profiling.declined_ids() == {never.pk}


def test_the_person_page_s_refusal_is_the_latest_withdrawal_and_only_while_it_stands(owner):
    never, granted, declined = PersonFactory(), PersonFactory(), PersonFactory()
    contacts.grant_consent(granted, PROFILING, actor=owner, method="web_form", source_text="Yes")
    assert profiling.declined_on(never) is None and profiling.declined_on(granted) is None
    profiling.decline(declined, actor=owner, words="first no")
    contacts.grant_consent(declined, PROFILING, actor=owner, method="verbal", source_text="OK")
    assert profiling.declined_on(declined) is None  # the grant after it stands
    profiling.decline(declined, actor=owner, words="second no")
    latest = profiling.declined_on(declined)
    # Declining withdraws the grant that stood: that withdrawal is the latest word.
    assert latest is not None and latest.source_text == "OK"
    first = Consent.objects.get(person=declined, source_text="first no")
    assert latest.withdrawn_at >= first.withdrawn_at
    assert {p.pk for p in (never, granted, declined) if profiling.declined_on(p)} == (
        profiling.declined_ids()
    )


def test_read_only_cannot_record_a_refusal(read_only, member):
    person = PersonFactory()
    url = f"/people/{person.pk}/decline-profiling"
    assert client_for(read_only).post(url).status_code == 403
    assert not profiling.has_declined(person)
    assert client_for(member).post(url, {"words": "By email"}).status_code == 302
    assert profiling.has_declined(person)


def test_a_person_who_declines_loses_their_scores_at_once_and_for_good(owner):
    shop = build_business(owner)
    _refresh()
    quiet, other = shop.clients[0], shop.clients[1]
    assert CustomerScore.objects.filter(person=quiet).exists()
    client = client_for(owner)
    response = client.post(f"/people/{quiet.pk}/decline-profiling", {"words": "No analysis"})
    assert response.status_code == 302
    assert not CustomerScore.objects.filter(person=quiet).exists(), "not at the next refresh"
    _refresh()
    assert not CustomerScore.objects.filter(person=quiet).exists()
    assert CustomerScore.objects.filter(person=other).exists()
    assert quiet.pk not in set(leads.load_people().ids.tolist())
    assert other.pk in set(leads.load_people().ids.tolist())
    page = client.get(f"/people/{quiet.pk}/").content.decode()
    assert 'id="profiling-declined"' in page and "Predicted value" not in page
    assert "Predicted value" in client.get(f"/people/{other.pk}/").content.decode()


def test_withdrawing_profiling_consent_anywhere_forgets_the_scores(owner):
    shop = build_business(owner)
    _refresh()
    person = shop.clients[2]
    contacts.grant_consent(person, PROFILING, actor=owner, method="web_form", source_text="Yes")
    assert CustomerScore.objects.filter(person=person).exists()
    contacts.withdraw_consent(person, PROFILING, actor=None, method=ConsentMethod.PREFERENCE_CENTER)
    assert not CustomerScore.objects.filter(person=person).exists()
    assert profiling.has_declined(person)
