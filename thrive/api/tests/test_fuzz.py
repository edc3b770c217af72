"""Schema-driven fuzzing: schemathesis generates requests for every operation in the
live OpenAPI schema (valid and invalid data) and sends them, with an owner's token, to
the Django app over WSGI; no answer may be a server error, and every answer must match
the schema (status codes, content type, body)."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as fuzz_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from thrive.commerce.models import DealStage, Product
from thrive.commerce.services import LineInput, record_order
from thrive.contacts.models import Stage
from thrive.segments.services import create_segment
from thrive.testing.factories import PersonFactory
from thrive.voice.services.ideas import submit_idea
from thrive.voice.services.surveys import create_survey

from .conftest import token

CHECKS = (
    not_a_server_error, status_code_conformance, content_type_conformance,
    response_schema_conformance,
)  # fmt: skip


# Loading the schema reads no database (the schema view is public and stateless).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def keep_test_connection():
    """The WSGI app closes the database connection after each request, which would end
    the test's transaction on PostgreSQL; Django's own test client does the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(owner, settings, db, keep_test_connection):
    """An owner's token over a small business: people, an order, a segment, a product,
    a deal stage, an idea and a survey (ids 1…, which the fuzzer also tries)."""
    settings.THRIVE_API_RATE_PER_MINUTE = 100_000
    people = [PersonFactory(stage=Stage.PROSPECT) for _ in range(5)]
    record_order(
        people[0], actor=owner, number="F-1", lines=[LineInput(quantity=1, unit_price="9.50")],
        ordered_at=people[0].first_seen_at + dt.timedelta(days=1),
    )  # fmt: skip
    create_segment(actor=owner, name="Clients",
                   rules={"match": "all", "rules": [{"field": "stage", "op": "in",
                                                     "value": ["client"]}]})  # fmt: skip
    Product.objects.create(sku="HOUSE", name="House blend", price="12.00")
    DealStage.objects.create(name="Lead", position=1, probability="0.1")
    submit_idea(people[1], title="Oat milk", actor=owner)
    create_survey(actor=owner, name="NPS")
    return token(owner)


@schema.parametrize()
@fuzz_settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_api_fail_or_break_its_schema(case, fuzz_token):
    response = case.call(headers={"Authorization": f"Bearer {fuzz_token}"})
    case.validate_response(response, checks=CHECKS)
