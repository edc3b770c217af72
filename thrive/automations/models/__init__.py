"""Automations: tasks for associates (workflows land beside them)."""

from .tasks import Task, TaskKind, TaskStatus

__all__ = ["Task", "TaskKind", "TaskStatus"]
