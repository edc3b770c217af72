from django.tasks import task

from .services import run_job


@task()
def run_import_job(job_id: int, dry_run: bool) -> int:
    """Background job: the dry run or the import of one file. Returns the rows read."""
    return run_job(job_id, dry_run=dry_run).rows_read
