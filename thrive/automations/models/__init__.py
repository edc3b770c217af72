"""Automations: workflows, enrollments and the engine's records."""

from .runs import (
    LIVE_STATUSES,
    ActionLog,
    EngineCursor,
    Enrollment,
    EnrollmentStatus,
    LogOutcome,
    SegmentMembership,
)
from .workflows import Reentry, Step, StepKind, TriggerKind, Workflow, WorkflowStatus

__all__ = [
    "LIVE_STATUSES",
    "ActionLog",
    "EngineCursor",
    "Enrollment",
    "EnrollmentStatus",
    "LogOutcome",
    "Reentry",
    "SegmentMembership",
    "Step",
    "StepKind",
    "TriggerKind",
    "Workflow",
    "WorkflowStatus",
]
