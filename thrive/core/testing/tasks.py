"""Running queued background tasks in a test, as ``thrive worker`` would."""

from __future__ import annotations


def run_queued(task_name: str) -> int:
    """Run the ready tasks in the queue whose path ends with ``.task_name``; returns how
    many ran. Queue them first (in a ``db`` test, by executing the on-commit callbacks
    with ``django_capture_on_commit_callbacks(execute=True)``)."""
    from django_tasks_db.models import DBTaskResult

    ran = 0
    for row in DBTaskResult.objects.ready().filter(task_path__endswith=f".{task_name}"):
        result = row.task_result
        row.set_successful(row.task.call(*result.args, **result.kwargs))
        ran += 1
    return ran
