"""Writes for automations: workflows (create, edit, switch on
and off, enrol by hand). Entry points call these with ``actor``; None means the system."""

from .workflows import activate_workflow, enroll_person, pause_workflow, save_workflow

__all__ = [
    "activate_workflow",
    "enroll_person",
    "pause_workflow",
    "save_workflow",
]
