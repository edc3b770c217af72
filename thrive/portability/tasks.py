from django.tasks import task

from .jobs import run_export


@task()
def build_export(run_id: int) -> int:
    """Background job: write a full export archive. Returns the run id."""
    return run_export(run_id).pk
