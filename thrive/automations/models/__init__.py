"""Automations: tasks for associates, workflows, enrollments and the engine's records."""

from .runs import (
    LIVE_STATUSES,
    ActionLog,
    EngineCursor,
    Enrollment,
    EnrollmentStatus,
    LogOutcome,
    SegmentMembership,
)
from .tasks import Task, TaskKind, TaskStatus
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
    "Task",
    "TaskKind",
    "TaskStatus",
    "TriggerKind",
    "Workflow",
    "WorkflowStatus",
]
