"""Rows the digest tests build by hand."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from thrive.bookings.models import Booking, SessionType
from thrive.prospects.models import LeadModel, LeadModelStatus, LeadScore
from thrive.voice.models import Survey, SurveyInvite, SurveyResponse


@pytest.fixture(autouse=True)
def digest_settings(settings):
    settings.THRIVE_BUSINESS_NAME = "Beans & Co"
    settings.THRIVE_PUBLIC_URL = "http://testserver"
    settings.THRIVE_TIME_ZONE = "Europe/London"
    settings.DEFAULT_FROM_EMAIL = "hello@beans.example"
    return settings


def answer(person: Any, *, score: int, owner: Any, at: dt.datetime, comment: str = "") -> Any:
    survey = Survey.objects.create(name=f"NPS {uuid.uuid4().hex[:6]}", owner=owner)
    invite = SurveyInvite.objects.create(survey=survey, person=person, status="sent", sent_at=at)
    return SurveyResponse.objects.create(
        invite=invite, survey=survey, person=person, score=score, answered_at=at, comment=comment
    )


def book(
    person: Any, associate: Any, *, start: dt.datetime, note: str = "", ip: str | None = "192.0.2.7"
) -> Booking:
    kind, _ = SessionType.objects.get_or_create(
        slug="strategy", defaults={"name": "Strategy session", "minutes": 30}
    )
    return Booking.objects.create(
        uid=uuid.uuid4().hex, associate=associate, person=person, session_type=kind,
        start_at=start, end_at=start + dt.timedelta(minutes=30), consent_text="Yes", note=note,
        ip_address=ip,
    )  # fmt: skip


def score(person: Any, probability: float) -> LeadScore:
    model = LeadModel.objects.first() or LeadModel.objects.create(status=LeadModelStatus.READY)
    return LeadScore.objects.create(person=person, model=model, probability=probability)
