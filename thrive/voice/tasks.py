"""Background jobs of customer voice, run by ``thrive worker``."""

from __future__ import annotations

from django.tasks import task


@task()
def run_send_job_task(job_id: int) -> dict[str, int | str]:
    """Send a survey to a segment, or an idea's news to its voters (resumable)."""
    from .services.jobs import run_send_job

    job = run_send_job(job_id)
    return {"job": job.pk, "state": job.state, "done": job.done, "queued": job.queued}


@task()
def compute_themes_task(run_id: int) -> dict[str, int | str]:
    """Group what customers said into themes (bounded: see thrive.voice.themes_runs)."""
    from .themes_runs import compute_themes

    run = compute_themes(run_id)
    return {"run": run.pk, "state": run.state, "messages": run.message_count}
