"""What the top bar of every workspace page needs: the sections with the current one marked,
and how many of the signed-in associate's tasks are due.

Both are lazy: a page that does not render the top bar (public pages, emails) runs nothing,
and the badge costs one COUNT query on the pages that do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from thrive.tasks import queries as task_queries

from .navigation import current_section, sections_for
from .task_inbox import _user_zone


def _due_count(request: HttpRequest) -> int:
    now = timezone.now()
    zone = _user_zone(request)
    end_of_today = dt.datetime.combine(
        now.astimezone(zone).date() + dt.timedelta(days=1), dt.time.min, tzinfo=zone
    )
    return task_queries.due_count(request.user.pk, end_of_today=end_of_today)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    match = getattr(request, "resolver_match", None)
    url_name = (match.url_name or "") if match else ""
    namespace = (match.namespace or "") if match else ""
    return {
        "nav_here": current_section(url_name, namespace)[0],
        "nav_sections": SimpleLazyObject(lambda: sections_for(user, url_name, namespace)),
        "nav_tasks_due": SimpleLazyObject(lambda: _due_count(request)),
    }
