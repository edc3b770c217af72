"""A trigger setting whose choices belong to a higher app: the app registers them, and the
editor, the plain words and the validator use them; without a provider it is free text."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from thrive.automations import step_builder, trigger_options
from thrive.automations.definition import validate_trigger
from thrive.automations.models import Workflow
from thrive.automations.words import describe_trigger

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_roasts(monkeypatch):
    """A provider standing in for whichever app owns the things (here, two roasts)."""
    monkeypatch.setattr(trigger_options, "_PROVIDERS", {})
    trigger_options.register_trigger_options(
        "form_submitted", "form", options=lambda: [("dark", "Dark roast"), ("light", "Light")],
        anything="Any roast", noun="roast",
    )  # fmt: skip


def test_a_registered_setting_is_a_choice_list_with_its_any_choice(only_roasts):
    [row] = [r for r in step_builder.trigger_rows("form_submitted", {}) if r["key"] == "form"]
    assert row["widget"] == "choice" and row["blank"] == "Any roast"
    assert row["options"] == [("dark", "Dark roast"), ("light", "Light")]


def test_a_registered_value_reads_in_its_words(only_roasts):
    workflow = Workflow(trigger="form_submitted", trigger_config={"form": "dark"})
    assert describe_trigger(workflow) == "When someone submits the form “Dark roast”"


def test_a_value_the_provider_does_not_list_is_refused_by_name(only_roasts):
    assert validate_trigger("form_submitted", {"form": "light"}) == {"form": "light"}
    assert validate_trigger("form_submitted", {}) == {}
    with pytest.raises(ValidationError) as caught:
        validate_trigger("form_submitted", {"form": "decaf"})
    assert caught.value.messages == [
        "There is no roast “decaf”: choose one of the roasts listed, or “Any roast”."
    ]


def test_without_a_provider_the_setting_stays_free_text(monkeypatch):
    monkeypatch.setattr(trigger_options, "_PROVIDERS", {})
    [row] = [r for r in step_builder.trigger_rows("form_submitted", {}) if r["key"] == "form"]
    assert row["widget"] == "text" and row["options"] is None
    assert validate_trigger("form_submitted", {"form": "anything"}) == {"form": "anything"}
