"""Writes for automations: workflows (create, edit, switch on
and off, enrol by hand). Entry points call these with ``actor``; None means the system."""

from .workflows import (
    activate_workflow,
    enroll_person,
    pause_workflow,
    rename_trigger_choice,
    save_workflow,
)

__all__ = [
    "activate_workflow",
    "enroll_person",
    "pause_workflow",
    "rename_trigger_choice",
    "save_workflow",
]
