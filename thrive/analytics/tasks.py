from django.tasks import task

from .hooks import run_after_refresh
from .refresh import run_refresh


@task()
def refresh_analytics(run_id: int) -> int:
    """Background job: recompute scores and the dashboard, then what reads them (the apps
    above register it, see :mod:`.hooks`: the live goals' check-ins at once, the
    ideal-client profile and lead scores in a job of their own). Returns the snapshot id."""
    snapshot = run_refresh(run_id)
    run_after_refresh()
    return snapshot.pk
