from django.tasks import task

from .refresh import run_refresh


@task()
def refresh_analytics(run_id: int) -> int:
    """Background job: recompute scores and the dashboard. Returns the snapshot id."""
    return run_refresh(run_id).pk
