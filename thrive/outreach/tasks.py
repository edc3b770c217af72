from typing import Any

from django.tasks import task

from .sending.sender import run_pump


@task()
def run_outreach() -> dict[str, Any]:
    """Background job: start due campaigns, advance sequences, send due mail."""
    return run_pump().as_dict()
