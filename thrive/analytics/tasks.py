from django.tasks import task

from .refresh import run_refresh


@task()
def refresh_analytics(run_id: int) -> int:
    """Background job: recompute scores and the dashboard, then what reads them: the live
    goals' check-ins at once, the ideal-client profile and lead scores in a job of their
    own. Returns the snapshot id."""
    snapshot = run_refresh(run_id)
    from thrive.growth.services import sync_live_check_ins
    from thrive.prospects.refresh import request_refresh

    sync_live_check_ins()
    request_refresh()
    return snapshot.pk
