"""The one read-only admin base every app uses for records that only services write.

Logs, deliveries, votes, answers and job rows change through their services, which keep
timelines, counts and emails whole; in the admin they are looked at, never edited, by
every role. What each role may do with the other records follows ``Associate.has_perm``
(see :mod:`thrive.core.roles`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
