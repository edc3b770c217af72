"""The API rate and the webhook retry settings are read from the environment, where
docs/operations.md says to set them."""

from __future__ import annotations

import pytest

from thrive.core.tests.test_config import run_manage

SHOW = (
    "from thrive.api.ratelimit import per_minute; "
    "from thrive.webhooks.services import backoff, max_attempts; "
    "print(per_minute(), max_attempts(), int(backoff(2).total_seconds()))"
)


@pytest.mark.slow
def test_the_environment_sets_the_api_rate_and_the_webhook_retries(tmp_path):
    default = run_manage("shell", "-c", SHOW, THRIVE_DATA_DIR=str(tmp_path))
    assert default.stdout.strip().splitlines()[-1] == "600 8 60", default.stderr
    changed = run_manage(
        "shell", "-c", SHOW, THRIVE_DATA_DIR=str(tmp_path), THRIVE_API_RATE_PER_MINUTE="7",
        THRIVE_WEBHOOKS_MAX_ATTEMPTS="2", THRIVE_WEBHOOKS_RETRY_SECONDS="5",
    )  # fmt: skip
    assert changed.stdout.strip().splitlines()[-1] == "7 2 10", changed.stderr


@pytest.mark.slow
def test_a_rate_that_is_not_a_number_stops_the_start_naming_the_setting(tmp_path):
    result = run_manage("check", THRIVE_DATA_DIR=str(tmp_path), THRIVE_API_RATE_PER_MINUTE="lots")
    assert result.returncode != 0
    assert "THRIVE_API_RATE_PER_MINUTE='lots' is not a whole number" in result.stderr
