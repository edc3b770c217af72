"""Shared helpers for workflow tests: build and switch on a workflow, run the engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from thrive.automations import engine, services
from thrive.automations.models import Enrollment, Workflow


@pytest.fixture
def build(owner):
    """build(trigger, steps, **settings) -> an active workflow made by the owner."""

    def make(trigger: str, steps: list[dict[str, Any]], *, active: bool = True, **kw: Any):
        workflow = services.save_workflow(
            actor=owner, name=kw.pop("name", f"Flow {Workflow.objects.count() + 1}"),
            trigger=trigger, steps=steps, **kw,
        )  # fmt: skip
        if active:
            workflow = services.activate_workflow(workflow, actor=owner)
        return workflow

    return make


def run(now: dt.datetime | None = None) -> None:
    """Read the log and move everyone who is due, as one engine tick would."""
    engine.process_activities()
    engine.advance_enrollments(now=now)


def where(workflow: Workflow, person) -> Enrollment:
    return Enrollment.objects.filter(workflow=workflow, person=person).latest("pk")
