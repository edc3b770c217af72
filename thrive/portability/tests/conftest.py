"""A small demo business to export, restore and erase people from."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from thrive.portability.registry import present_models

AS_OF = "2026-06-30"


@pytest.fixture
def demo_business(db: Any, tmp_path: Any) -> None:
    """The demo roaster with 200 people (the smallest it builds), every app seeded."""
    with override_settings(DATA_DIR=tmp_path):
        call_command(
            "demo", "--people=200", "--seed=11", f"--as-of={AS_OF}", "--no-progress",
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip


def empty_every_table() -> None:
    """Delete every exported row with plain DELETEs (keys are checked at commit), leaving
    the install as a fresh `thrive migrate` would."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in reversed(present_models()):
            cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")  # noqa: S608
