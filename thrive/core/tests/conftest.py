"""A small demo business shared by the sweeps over every admin page and every URL."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.fixture(scope="module")
def demo_records(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[None]:
    """The demo roaster with 200 people, built once per module (every app has rows);
    each test still runs in its own transaction, and the module empties the database
    when it is done."""
    with django_db_blocker.unblock():
        with override_settings(DATA_DIR=tmp_path_factory.mktemp("demo")):
            call_command(
                "demo", "--people=200", "--seed=11", "--as-of=2026-06-30", "--no-progress",
                stdout=io.StringIO(), stderr=io.StringIO(),
            )  # fmt: skip
        yield
        call_command("flush", "--no-input", verbosity=0)
