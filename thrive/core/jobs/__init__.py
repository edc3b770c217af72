"""The background-job kit: one model base, lease, sweep and status shape for every long job.

A job row is claimed by one worker with a conditional UPDATE and holds a *lease* (owner +
expiry) that its heartbeat keeps extending. A worker killed with SIGKILL stops extending it;
``sweep()`` (run by every ``thrive worker``) finds the expired lease and either queues the
job again, to carry on from its checkpoint (``resumable``), or marks it failed with what it
wrote, so it can be undone or run again. Every progress bar reads ``job.status_json()`` (one JSON
shape) through one poller script, ``core/jobs.js``.
"""

from .lease import Lease, LeaseLost, claim, lease_seconds
from .models import BackgroundJob, JobState
from .status import status_response
from .sweep import job_models, sweep

__all__ = [
    "BackgroundJob",
    "JobState",
    "Lease",
    "LeaseLost",
    "claim",
    "job_models",
    "lease_seconds",
    "status_response",
    "sweep",
]
