"""Writes for automations: tasks for associates, and workflows (create, edit, switch on
and off, enrol by hand). Entry points call these with ``actor``; None means the system."""

from .tasks import create_task, finish_task, reopen_task
from .workflows import activate_workflow, enroll_person, pause_workflow, save_workflow

__all__ = [
    "activate_workflow",
    "create_task",
    "enroll_person",
    "finish_task",
    "pause_workflow",
    "reopen_task",
    "save_workflow",
]
