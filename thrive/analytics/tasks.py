from django.tasks import task

from .refresh import run_refresh


@task()
def refresh_analytics(run_id: int) -> int:
    """Background job: recompute scores and the dashboard, then queue the work that reads
    the new scores (the ideal-client profile and lead scores). Returns the snapshot id."""
    snapshot = run_refresh(run_id)
    from thrive.prospects.refresh import request_refresh

    request_refresh()
    return snapshot.pk
