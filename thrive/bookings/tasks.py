"""Background jobs of a booking: the reminder a day before and the follow-up after.

Both are queued with ``run_after`` when a session is booked or moved, and both are safe
to run twice or late: each claims its work with a conditional update.
"""

from __future__ import annotations

from django.tasks import task

from . import services


@task()
def remind_session(booking_id: int) -> bool:
    """Email the reminder for one session (nothing if moved, cancelled or already sent)."""
    return services.send_due_reminder(booking_id)


@task()
def follow_up_session(booking_id: int) -> bool:
    """After one session: mark it done, log it on the timeline, ask for notes."""
    return services.follow_up(booking_id)


@task()
def refresh_calendar_task(connection_id: int) -> bool:
    """Fetch one connected calendar's busy times, then queue its next refresh."""
    from .calendar_services import run_refresh_job

    return run_refresh_job(connection_id)
